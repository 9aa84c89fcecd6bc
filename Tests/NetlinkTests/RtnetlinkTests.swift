import Addresses
import Netlink
import RudderLab
import Testing

/// Links, addresses, routes and the monitor against the host kernel, in a namespace per test.
@Suite(.enabled(if: getuid() == 0, "network namespaces need root"))
struct RtnetlinkTests {
    @Test func linksAndAddresses() async throws {
        try await withNetworkNamespace { fixture in
            let netlink = try Rtnetlink(namespace: fixture.namespace)
            try netlink.addVeth(name: "rt0", peerName: "rt1")
            let link = try #require(try netlink.link(named: "rt0"))
            #expect(link.kind == "veth")
            #expect(!link.isUp)
            try netlink.setLink(named: "rt0", up: true)
            #expect(try netlink.link(index: link.index)?.isUp == true)
            let v4 = InterfaceAddress(
                linkIndex: link.index, address: IPPrefix(address: IPAddress("10.9.0.1")!, length: 24))
            let v6 = InterfaceAddress(
                linkIndex: link.index, address: IPPrefix(address: IPAddress("fd00:9::1")!, length: 64))
            try netlink.addAddress(v4)
            try netlink.addAddress(v6, skipDAD: true)
            let addresses = try netlink.addresses().filter { $0.linkIndex == link.index }
            #expect(addresses.contains(v4) && addresses.contains(v6))
            #expect(try fixture.ip("-6", "addr", "show", "dev", "rt0").contains("fd00:9::1/64"))
            try netlink.deleteAddress(v4)
            #expect(!(try netlink.addresses(family: .ipv4).contains(v4)))
            try netlink.deleteLink(named: "rt0")
            #expect(try netlink.link(named: "rt0") == nil)
            #expect(try netlink.link(named: "rt1") == nil)
        }
    }

    @Test func vethPeerLandsInAnotherNamespace() async throws {
        try await withNetworkNamespaces { here, there in
            let netlink = try Rtnetlink(namespace: here.namespace)
            try netlink.addVeth(name: "rx0", peerName: "rx1", peerNamespace: there.namespace)
            #expect(try there.linkNames().contains("rx1"))
            #expect(try netlink.link(named: "rx1") == nil)
        }
    }

    @Test func routesWithGatewayOnlinkMetricTableAndECMP() async throws {
        try await withNetworkNamespace { fixture in
            try fixture.addVethPair("rr0", peer: "rr1")
            try fixture.addAddress("10.9.0.1/24", to: "rr0")
            try fixture.addAddress("fd00:9::1/64", to: "rr0")
            let netlink = try Rtnetlink(namespace: fixture.namespace)
            let index = try #require(try netlink.link(named: "rr0")).index
            let onlink = Route(
                destination: try IPPrefix(parsing: "10.244.1.0/24"), protocolNumber: 44, metric: 7,
                nextHops: [NextHop(gateway: IPAddress("10.9.0.2"), linkIndex: index, onlink: true)])
            let ecmp = Route(
                destination: try IPPrefix(parsing: "10.244.2.0/24"), table: 100, protocolNumber: 44,
                nextHops: [
                    NextHop(gateway: IPAddress("10.9.0.3"), linkIndex: index, weight: 2),
                    NextHop(gateway: IPAddress("10.9.0.4"), linkIndex: index),
                ])
            let v6 = Route(
                destination: try IPPrefix(parsing: "fd00:10:244:1::/64"), protocolNumber: 44,
                nextHops: [NextHop(gateway: IPAddress("fd00:9::2"), linkIndex: index)])
            try netlink.add(onlink)
            try netlink.add(ecmp)
            try netlink.add(v6)
            let owned = try netlink.routes(protocolNumber: 44)
            #expect(Set(owned) == [onlink, ecmp, v6])
            #expect(try fixture.ip("route", "show", "table", "100").contains("weight 2"))
            #expect(try fixture.ip("route", "show", "10.244.1.0/24").contains("metric 7 onlink"))

            let error = #expect(throws: NetlinkError.self) { try netlink.add(onlink) }
            #expect(error?.errno == EEXIST)
            #expect(error?.operation.contains("10.244.1.0/24") == true)

            var moved = onlink
            moved.nextHops = [NextHop(gateway: IPAddress("10.9.0.9"), linkIndex: index, onlink: true)]
            try netlink.replace(moved)
            #expect(try netlink.routes(family: .ipv4, table: 254, protocolNumber: 44) == [moved])
            for route in [moved, ecmp, v6] { try netlink.delete(route) }
            #expect(try netlink.routes(protocolNumber: 44).isEmpty)
        }
    }

    @Test func deleteRefusesARouteOfAnotherProtocol() async throws {
        try await withNetworkNamespace { fixture in
            try fixture.addVethPair("rp0", peer: "rp1")
            try fixture.addAddress("10.9.0.1/24", to: "rp0")
            try fixture.ip("route", "add", "10.244.7.0/24", "via", "10.9.0.2", "proto", "45")
            let netlink = try Rtnetlink(namespace: fixture.namespace)
            let foreign = try #require(try netlink.routes(protocolNumber: 45).first)
            var pretendOurs = foreign
            pretendOurs.protocolNumber = 44
            #expect(throws: NetlinkError.self) { try netlink.delete(pretendOurs) }
            #expect(try fixture.ip("route", "show", "proto", "45").contains("10.244.7.0/24"))
        }
    }

    @Test func batchReportsEachFailureByIndex() async throws {
        try await withNetworkNamespace { fixture in
            try fixture.addVethPair("rb0", peer: "rb1")
            let netlink = try Rtnetlink(namespace: fixture.namespace)
            let index = try #require(try netlink.link(named: "rb0")).index
            let routes = (0..<600).map { i in
                Route(
                    destination: IPPrefix(address: .v4(0x0AF4_0000 + UInt32(i) << 8), length: 24), protocolNumber: 44,
                    nextHops: [NextHop(gateway: .v4(0x0A09_0002), linkIndex: index, onlink: true)])
            }
            // Indexes 300 and 599 repeat earlier routes and must fail with EEXIST; all others succeed.
            var operations = routes.map(RouteOperation.add)
            operations.insert(.add(routes[3]), at: 300)
            operations.append(.add(routes[598]))
            let result = netlink.apply(operations)
            #expect(Set(result.failures.keys) == [300, 601])
            #expect(result.failures.values.allSatisfy { $0.errno == EEXIST })
            #expect(!result.reportsLost)
            #expect(try netlink.routes(protocolNumber: 44).count == 600)
        }
    }

    @Test func monitorStreamsRouteLinkAndAddressChanges() async throws {
        let fixture = try NetworkNamespaceFixture()
        defer { try? fixture.remove() }
        let events = try NetlinkMonitor.events(namespace: fixture.namespace)
        try fixture.addVethPair("rm0", peer: "rm1")
        try fixture.addAddress("10.9.0.1/24", to: "rm0")
        try fixture.ip("route", "add", "10.244.9.0/24", "via", "10.9.0.2", "proto", "44")
        try fixture.ip("route", "del", "10.244.9.0/24", "proto", "44")
        var sawLink = false
        var sawAddress = false
        var sawAdd = false
        for await event in events {
            switch event {
            case .linkChanged(let link) where link.name == "rm0": sawLink = true
            case .addressAdded(let address) where address.address.address == IPAddress("10.9.0.1"): sawAddress = true
            case .routeAdded(let route) where route.protocolNumber == 44: sawAdd = true
            case .routeDeleted(let route) where route.protocolNumber == 44:
                #expect(route.destination == (try IPPrefix(parsing: "10.244.9.0/24")))
                #expect(sawLink && sawAddress && sawAdd)
                return
            default: continue
            }
        }
        Issue.record("the event stream ended before the route deletion arrived")
    }
}

#if canImport(Glibc)
    import Glibc
#endif
