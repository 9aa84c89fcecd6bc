import Addresses
import Netlink
import PodRouting
import Testing

/// Unit tests of next-hop resolution: onlink, via gateway, ECMP, wrong family.
@Suite struct RouteResolverTests {
    let settings = PodRoutingSettings()
    let addresses = [
        InterfaceAddress(linkIndex: 2, address: IPPrefix(address: IPAddress("192.168.1.10")!, length: 24)),
        InterfaceAddress(linkIndex: 2, address: IPPrefix(address: IPAddress("fd00:1::10")!, length: 64)),
    ]
    let defaultRoute = Route(
        destination: try! IPPrefix(parsing: "0.0.0.0/0"), protocolNumber: 4,
        nextHops: [NextHop(gateway: IPAddress("192.168.1.1")!, linkIndex: 2)])

    @Test func connectedNextHopIsOnlink() throws {
        let resolver = RouteResolver(addresses: addresses, underlay: [], settings: settings)
        let route = try resolver.resolveRoute(
            PodRoute(prefix: IPPrefix(parsing: "10.244.1.0/24"), nextHops: [IPAddress("192.168.1.11")!])
        ).get()
        #expect(route.nextHops == [NextHop(gateway: IPAddress("192.168.1.11")!, linkIndex: 2, onlink: true)])
        #expect(route.protocolNumber == settings.protocolNumber)
        #expect(route.table == 254)
    }

    @Test func remoteNextHopGoesThroughTheUnderlayGateway() throws {
        let resolver = RouteResolver(addresses: addresses, underlay: [defaultRoute], settings: settings)
        let route = try resolver.resolveRoute(
            PodRoute(prefix: IPPrefix(parsing: "10.244.5.0/24"), nextHops: [IPAddress("172.16.5.5")!])
        ).get()
        #expect(route.nextHops == [NextHop(gateway: IPAddress("192.168.1.1")!, linkIndex: 2, onlink: false)])
    }

    @Test func severalNextHopsMakeECMPWithWeights() throws {
        let resolver = RouteResolver(addresses: addresses, underlay: [], settings: settings)
        let wanted = PodRoute(
            prefix: try IPPrefix(parsing: "10.244.2.0/24"),
            nextHops: [IPAddress("192.168.1.13")!, IPAddress("192.168.1.12")!],
            weights: [IPAddress("192.168.1.12")!: 3])
        let route = try resolver.resolveRoute(wanted).get()
        #expect(route.nextHops.count == 2)
        #expect(route.nextHops.first { $0.gateway == IPAddress("192.168.1.12") }?.weight == 3)
    }

    @Test func ipv6ResolvesOnlink() throws {
        let resolver = RouteResolver(addresses: addresses, underlay: [], settings: settings)
        let route = try resolver.resolveRoute(
            PodRoute(prefix: IPPrefix(parsing: "fd00:10:244:1::/64"), nextHops: [IPAddress("fd00:1::11")!])
        ).get()
        #expect(route.nextHops.first?.onlink == true)
        #expect(route.metric == 1024)
    }

    @Test func unreachableAndWrongFamilyNextHopsAreProblems() throws {
        let resolver = RouteResolver(addresses: addresses, underlay: [], settings: settings)
        let unreachable = PodRoute(prefix: try IPPrefix(parsing: "10.244.5.0/24"), nextHops: [IPAddress("172.16.5.5")!])
        let wrongFamily = PodRoute(prefix: try IPPrefix(parsing: "10.244.6.0/24"), nextHops: [IPAddress("fd00:1::11")!])
        let (routes, problems) = resolver.resolve([unreachable, wrongFamily])
        #expect(routes.isEmpty)
        #expect(problems.count == 2)
        #expect(problems.contains { $0.reason.contains("172.16.5.5") })
        #expect(problems.contains { $0.reason.contains("is not ipv4") })
    }

    @Test func ownRoutesAreNeverUsedAsUnderlay() throws {
        let ownCatchAll = Route(
            destination: try IPPrefix(parsing: "172.16.0.0/12"), protocolNumber: settings.protocolNumber,
            nextHops: [NextHop(gateway: IPAddress("192.168.1.99")!, linkIndex: 2)])
        let resolver = RouteResolver(addresses: addresses, underlay: [ownCatchAll, defaultRoute], settings: settings)
        let route = try resolver.resolveRoute(
            PodRoute(prefix: IPPrefix(parsing: "10.244.5.0/24"), nextHops: [IPAddress("172.16.5.5")!])
        ).get()
        #expect(route.nextHops.first?.gateway == IPAddress("192.168.1.1"))
    }
}
