import Foundation
import RudderLab
import Testing

/// Two real routers peer through the lab; each one's originated routes must show up in the other's
/// RIB with the right next hop, AS path and communities. This proves the lab and every query
/// function against real implementations, before Rudder's own speaker takes one of the places.
@Suite("Router peering through the lab")
struct RouterPeeringTests {
    typealias Community = BGPPeerLabRoute.Community
    typealias Large = BGPPeerLabRoute.LargeCommunity

    @Test("BIRD and GoBGP, IPv4 and IPv6, 4-octet AS numbers")
    func birdAndGoBGP() async throws {
        try await withBGPPeerLab(nodes: 1) { lab in
            let link = lab.links[0]
            let (routerAS, nodeAS): (UInt32, UInt32) = (4_200_000_001, 4_200_000_002)
            let routerRoutes = [
                BGPPeerLabOriginatedRoute(
                    "10.10.0.0/24", communities: [Community(65535, 1)], largeCommunities: [Large(routerAS, 1, 2)]),
                BGPPeerLabOriginatedRoute("fd00:10::/64", communities: [Community(65535, 6)]),
            ]
            let nodeRoutes = [
                BGPPeerLabOriginatedRoute(
                    "10.20.0.0/24", communities: [Community(64512, 7), Community(64512, 8)],
                    largeCommunities: [Large(nodeAS, 3, 4)]),
                BGPPeerLabOriginatedRoute("10.20.1.0/24"),
                BGPPeerLabOriginatedRoute("fd00:20::/64", largeCommunities: [Large(nodeAS, 6, 6)]),
            ]
            let bird = try await BirdRouter.start(
                in: lab, namespace: lab.router,
                configuration: Self.dualStack(
                    localAS: routerAS, routerID: link.routerIPv4, peer: (link.nodeIPv4, link.nodeIPv6),
                    remoteAS: nodeAS, routes: routerRoutes))
            let gobgp = try await GoBGPRouter.start(
                in: lab, namespace: lab.nodes[0],
                configuration: Self.dualStack(
                    localAS: nodeAS, routerID: link.nodeIPv4, peer: (link.routerIPv4, link.routerIPv6),
                    remoteAS: routerAS, routes: nodeRoutes))
            for (router, neighbor) in [
                (bird as any BGPPeerLabRouter, link.nodeIPv4), (bird, link.nodeIPv6), (gobgp, link.routerIPv4),
                (gobgp, link.routerIPv6),
            ] {
                try await router.waitUntilEstablished(neighbor)
            }
            try await expectRoutes(
                at: bird, from: (link.nodeIPv4, link.nodeIPv6), nodeRoutes, asPath: [nodeAS])
            try await expectRoutes(
                at: gobgp, from: (link.routerIPv4, link.routerIPv6), routerRoutes, asPath: [routerAS])
        }
    }

    @Test("FRR and BIRD, IPv4 and IPv6, 2-octet AS numbers; routes added and withdrawn while up")
    func frrAndBird() async throws {
        try await withBGPPeerLab(nodes: 1) { lab in
            let link = lab.links[0]
            let (routerAS, nodeAS): (UInt32, UInt32) = (65010, 65020)
            let routerRoutes = [
                BGPPeerLabOriginatedRoute(
                    "10.30.0.0/24", communities: [Community(65010, 100), Community(65010, 200)],
                    largeCommunities: [Large(65010, 0, 1)]),
                BGPPeerLabOriginatedRoute("fd00:30::/64", communities: [Community(65010, 6)]),
            ]
            let nodeRoutes = [
                BGPPeerLabOriginatedRoute("10.40.0.0/24", communities: [Community(65020, 1)]),
                BGPPeerLabOriginatedRoute(
                    "fd00:40::/64", communities: [Community(65020, 6)], largeCommunities: [Large(65020, 6, 6)]),
            ]
            let frr = try await FRRRouter.start(
                in: lab, namespace: lab.router,
                configuration: Self.dualStack(
                    localAS: routerAS, routerID: link.routerIPv4, peer: (link.nodeIPv4, link.nodeIPv6),
                    remoteAS: nodeAS, routes: routerRoutes))
            let bird = try await BirdRouter.start(
                in: lab, namespace: lab.nodes[0],
                configuration: Self.dualStack(
                    localAS: nodeAS, routerID: link.nodeIPv4, peer: (link.routerIPv4, link.routerIPv6),
                    remoteAS: routerAS, routes: nodeRoutes))
            try await frr.waitUntilEstablished(link.nodeIPv4)
            try await frr.waitUntilEstablished(link.nodeIPv6)
            try await bird.waitUntilEstablished(link.routerIPv4)
            try await bird.waitUntilEstablished(link.routerIPv6)
            try await expectRoutes(at: frr, from: (link.nodeIPv4, link.nodeIPv6), nodeRoutes, asPath: [nodeAS])
            try await expectRoutes(at: bird, from: (link.routerIPv4, link.routerIPv6), routerRoutes, asPath: [routerAS])

            // Injecting and withdrawing while the sessions are up, in both directions.
            let added = BGPPeerLabOriginatedRoute("10.30.9.0/24", communities: [Community(65010, 9)])
            try frr.originate([added])
            try await expectRoutes(
                at: bird, from: link.routerIPv4, routerRoutes.filter { !$0.isIPv6 } + [added],
                nextHop: link.routerIPv4, asPath: [routerAS])
            try bird.withdraw(["10.40.0.0/24"])
            try await frr.waitForRoutes(from: link.nodeIPv4, "nothing") { $0.isEmpty }
        }
    }

    @Test("A BIRD ToR with a neighbor range takes dynamic sessions from every node and installs ECMP for a shared VIP")
    func birdNeighborRangeAndECMP() async throws {
        try await withBGPPeerLab(nodes: 2) { lab in
            let (torAS, nodesAS): (UInt32, UInt32) = (65000, 64512)
            let vip = "10.96.0.10/32"
            let tor = try await BirdRouter.start(
                in: lab, namespace: lab.router,
                configuration: BGPPeerLabRouterConfiguration(
                    localAS: torAS, routerID: "10.255.255.1",
                    neighborRanges: [.init(prefix: BGPPeerLabLink.ipv4Range, remoteAS: nodesAS)]),
                kernelMergePaths: true)
            var nodes: [GoBGPRouter] = []
            for link in lab.links {
                nodes.append(
                    try await GoBGPRouter.start(
                        in: lab, namespace: lab.nodes[link.node],
                        configuration: BGPPeerLabRouterConfiguration(
                            localAS: nodesAS, routerID: link.nodeIPv4,
                            neighbors: [.init(address: link.routerIPv4, remoteAS: torAS)],
                            originatedRoutes: [
                                BGPPeerLabOriginatedRoute(vip, communities: [Community(64512, 100)]),
                                BGPPeerLabOriginatedRoute("10.244.\(link.node).0/24"),
                            ])))
            }
            for link in lab.links {
                try await tor.waitUntilEstablished(link.nodeIPv4)
                let routes = try await tor.waitForRoutes(from: link.nodeIPv4, "the VIP and the pod CIDR") {
                    Set($0.map(\.prefix)) == [vip, "10.244.\(link.node).0/24"]
                }
                #expect(routes.allSatisfy { $0.nextHop == link.nodeIPv4 && $0.asPath == [nodesAS] })
            }
            // One kernel route with a next hop per node: `merge paths` in the kernel protocol is what gives ECMP.
            try await Polling.until(
                "the VIP has an ECMP route through both nodes", timeout: .seconds(30),
                context: { (try? lab.router.ip("route", "show", vip)) ?? "" }
            ) {
                let route = try lab.router.ip("route", "show", vip)
                return lab.links.allSatisfy { route.contains("nexthop via \($0.nodeIPv4) ") }
            }
            try nodes[0].withdraw([vip])
            try await tor.waitForRoutes(from: lab.links[0].nodeIPv4, "only the pod CIDR") {
                $0.map(\.prefix) == ["10.244.0.0/24"]
            }
        }
    }

    /// Waits until `router` holds exactly `expected` from `neighbor`, with the given next hop and AS path.
    /// A router with one session per family to `peer` (its IPv4 and IPv6 address), both in `remoteAS`.
    private static func dualStack(
        localAS: UInt32, routerID: String, peer: (ipv4: String, ipv6: String), remoteAS: UInt32,
        routes: [BGPPeerLabOriginatedRoute]
    ) -> BGPPeerLabRouterConfiguration {
        BGPPeerLabRouterConfiguration(
            localAS: localAS, routerID: routerID,
            neighbors: [.init(address: peer.ipv4, remoteAS: remoteAS), .init(address: peer.ipv6, remoteAS: remoteAS)],
            originatedRoutes: routes)
    }

    /// `expected`'s IPv4 routes from the peer's IPv4 session and its IPv6 routes from its IPv6
    /// session, each with the peer's address of that session as next hop.
    private func expectRoutes(
        at router: any BGPPeerLabRouter, from peer: (ipv4: String, ipv6: String),
        _ expected: [BGPPeerLabOriginatedRoute], asPath: [UInt32]
    ) async throws {
        try await expectRoutes(
            at: router, from: peer.ipv4, expected.filter { !$0.isIPv6 }, nextHop: peer.ipv4, asPath: asPath)
        try await expectRoutes(
            at: router, from: peer.ipv6, expected.filter(\.isIPv6), nextHop: peer.ipv6, asPath: asPath)
    }

    private func expectRoutes(
        at router: any BGPPeerLabRouter, from neighbor: String, _ expected: [BGPPeerLabOriginatedRoute],
        nextHop: String, asPath: [UInt32]
    ) async throws {
        let wanted = Set(
            expected.map {
                BGPPeerLabRoute(
                    prefix: BGPPeerLabAddress.canonicalPrefix($0.prefix)!,
                    nextHop: BGPPeerLabAddress.canonical(nextHop)!,
                    asPath: asPath, communities: $0.communities, largeCommunities: $0.largeCommunities)
            })
        let routes = try await router.waitForRoutes(from: neighbor, "\(wanted)") { Set($0) == wanted }
        #expect(routes.count == wanted.count)
    }
}
