import Foundation
import RudderLab
import Testing

/// bird-configs/tor.conf, run for real: its ranges, password and filters, with nodes peering as
/// Rudder would (GoBGP stands in for the speaker until Rudder's own can take its place).
@Suite("The shipped BIRD configs, run for real")
struct ShippedBirdConfigTests {
    @Test("tor.conf takes dynamic MD5 sessions, filters to pod CIDRs and VIPs, and installs ECMP for a shared VIP")
    func torConf() async throws {
        try await withBGPPeerLab(nodes: 2) { lab in
            let copy = try labCopyOfBirdConfigs(in: lab)
            let tor = try await BirdRouter.start(in: lab, namespace: lab.router, configFile: copy + "/tor.conf")

            let vip = "10.96.0.10/32"
            var nodes: [GoBGPRouter] = []
            for link in lab.links {
                let asn = UInt32(64512 + link.node)  // one AS per node: the range is `external`
                nodes.append(
                    try await GoBGPRouter.start(
                        in: lab, namespace: lab.nodes[link.node],
                        configuration: BGPPeerLabRouterConfiguration(
                            localAS: asn, routerID: link.nodeIPv4,
                            neighbors: [
                                .init(address: link.routerIPv4, remoteAS: 65000, password: "lab-secret"),
                                .init(address: link.routerIPv6, remoteAS: 65000, password: "lab-secret"),
                            ],
                            originatedRoutes: [
                                BGPPeerLabOriginatedRoute("10.244.\(link.node).0/24"),  // pod CIDR: accepted
                                BGPPeerLabOriginatedRoute(vip),  // service VIP: accepted
                                BGPPeerLabOriginatedRoute("10.96.0.0/24"),  // not a host route: rejected
                                BGPPeerLabOriginatedRoute("192.168.77.0/24"),  // outside both sets: rejected
                                BGPPeerLabOriginatedRoute("fd00:10:244:\(link.node)::/64"),  // IPv6 pod CIDR
                                BGPPeerLabOriginatedRoute("fd00:99::/64"),  // rejected
                            ])))
            }
            for link in lab.links {
                try await tor.waitUntilEstablished(link.nodeIPv4)
                try await tor.waitUntilEstablished(link.nodeIPv6)
                try await tor.waitForRoutes(from: link.nodeIPv4, "only the pod CIDR and the VIP") {
                    Set($0.map(\.prefix)) == ["10.244.\(link.node).0/24", vip]
                }
                try await tor.waitForRoutes(from: link.nodeIPv6, "only the IPv6 pod CIDR") {
                    $0.map(\.prefix) == [BGPPeerLabAddress.canonicalPrefix("fd00:10:244:\(link.node)::/64")]
                }
            }
            // Each node learns the other's pod CIDR through the ToR, next hop the ToR, AS path ToR then node.
            for link in lab.links {
                let other = 1 - link.node
                try await nodes[link.node].waitForRoutes(from: link.routerIPv4, "the other node's pod CIDR") {
                    $0.contains(
                        BGPPeerLabRoute(
                            prefix: "10.244.\(other).0/24", nextHop: link.routerIPv4,
                            asPath: [65000, UInt32(64512 + other)]
                        ))
                }
            }
            try await Polling.until(
                "the VIP has an ECMP route through both nodes", timeout: .seconds(30),
                context: { (try? lab.router.ip("route", "show", vip)) ?? "" }
            ) {
                let route = try lab.router.ip("route", "show", vip)
                return lab.links.allSatisfy { route.contains("nexthop via \($0.nodeIPv4) ") }
            }
        }
    }

    @Test("route-reflector.conf reflects one client's routes to the others with the client's own next hop")
    func routeReflectorConf() async throws {
        try await withBGPPeerLab(nodes: 2) { lab in
            let copy = try labCopyOfBirdConfigs(in: lab)
            let reflector = try await BirdRouter.start(
                in: lab, namespace: lab.router, configFile: copy + "/route-reflector.conf")
            var clients: [GoBGPRouter] = []
            for link in lab.links {
                clients.append(
                    try await GoBGPRouter.start(
                        in: lab, namespace: lab.nodes[link.node],
                        configuration: BGPPeerLabRouterConfiguration(
                            localAS: 65000, routerID: link.nodeIPv4,
                            neighbors: [.init(address: link.routerIPv4, remoteAS: 65000, password: "lab-secret")],
                            originatedRoutes: [
                                BGPPeerLabOriginatedRoute("10.244.\(link.node).0/24", communities: [.init(65000, 7)]),
                                BGPPeerLabOriginatedRoute("192.168.77.0/24"),  // rejected by the import filter
                            ])))
            }
            for link in lab.links {
                try await reflector.waitUntilEstablished(link.nodeIPv4)
                try await reflector.waitForRoutes(from: link.nodeIPv4, "only the pod CIDR") {
                    $0.map(\.prefix) == ["10.244.\(link.node).0/24"]
                }
            }
            // iBGP through a reflector: the next hop stays the announcing client, the AS path stays empty.
            for link in lab.links {
                let other = lab.links[1 - link.node]
                try await clients[link.node].waitForRoutes(from: link.routerIPv4, "the other client's pod CIDR") {
                    $0
                        == [
                            BGPPeerLabRoute(
                                prefix: "10.244.\(other.node).0/24", nextHop: other.nodeIPv4, asPath: [],
                                communities: [.init(65000, 7)])
                        ]
                }
            }
        }
    }

    /// A copy of bird-configs in the lab directory with the parameters pointed at the lab: its node
    /// ranges and a known password. The prefix sets and everything else stay as shipped.
    private func labCopyOfBirdConfigs(in lab: BGPPeerLab) throws -> String {
        let copy = lab.directory + "/bird-configs"
        try FileManager.default.copyItem(atPath: ConfigSyntaxTests.birdConfigs, toPath: copy)
        let params = copy + "/rudder-params.conf"
        var text = try String(contentsOfFile: params, encoding: .utf8)
        for (name, value) in [
            ("RACK_NODES_V4", BGPPeerLabLink.ipv4Range), ("RACK_NODES_V6", BGPPeerLabLink.ipv6Range),
            ("BGP_PASSWORD", "\"lab-secret\""),
        ] {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.contains { $0.hasPrefix("define \(name) = ") })
            text = lines.map { $0.hasPrefix("define \(name) = ") ? "define \(name) = \(value);" : String($0) }
                .joined(separator: "\n")
        }
        try text.write(toFile: params, atomically: true, encoding: .utf8)
        return copy
    }
}
