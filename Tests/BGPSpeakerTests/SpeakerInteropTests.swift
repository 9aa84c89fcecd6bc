import BGP
import BGPSpeaker
import Foundation
import Logging
import RudderLab
import Testing

/// Rudder's speaker in a node namespace of the lab, against BIRD, GoBGP and FRR as the ToR.
@Suite(.serialized) struct SpeakerInteropTests {
    typealias Community = BGPPeerLabRoute.Community

    enum Router: String, Sendable, CaseIterable {
        case bird, gobgp, frr
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var router: Router
        var routerAS: UInt32
        var nodeAS: UInt32
        var testDescription: String { "\(router.rawValue), AS \(routerAS) and \(nodeAS)" }
    }

    static let cases = Router.allCases.flatMap { router in
        [
            Case(router: router, routerAS: 4_200_000_010, nodeAS: 4_200_000_020),
            Case(router: router, routerAS: 65010, nodeAS: 65020),
        ]
    }

    /// Runs `body` with a speaker on a loop in the lab's node namespace, then stops the speaker and
    /// the loop, also when `body` throws.
    private func withNodeSpeaker(
        _ lab: BGPPeerLab, localAS: UInt32, peers: [BGPSpeakerPeer], _ body: (BGPSpeaker) async throws -> Void
    ) async throws {
        let link = lab.links[0]
        var logger = Logger(label: "rudder.bgp.interop")
        logger.logLevel = .info
        let loop = try await NamespacedEventLoop.make(in: lab.nodes[0])
        let speaker: BGPSpeaker
        do {
            speaker = try BGPSpeaker(
                configuration: BGPSpeakerConfiguration(
                    routerID: 0x0aff_0002, localAS: localAS,
                    listenAddresses: [BGPAddress(link.nodeIPv4)!, BGPAddress(link.nodeIPv6)!], peers: peers),
                eventLoop: loop.loop, logger: logger)
        } catch {
            await loop.shutdown()
            throw error
        }
        do {
            try await body(speaker)
        } catch {
            try? await speaker.stop()
            await loop.shutdown()
            throw error
        }
        try await speaker.stop()
        await loop.shutdown()
    }

    @Test(arguments: cases) func routersAndRudderExchangeRoutes(_ test: Case) async throws {
        try await withBGPPeerLab(nodes: 1) { lab in
            let link = lab.links[0]
            let routerRoutes = [
                BGPPeerLabOriginatedRoute("10.30.0.0/24", communities: [Community(65010, 100)]),
                BGPPeerLabOriginatedRoute("fd00:30::/64", communities: [Community(65010, 6)]),
            ]
            let configuration = BGPPeerLabRouterConfiguration(
                localAS: test.routerAS, routerID: link.routerIPv4,
                neighbors: [
                    .init(address: link.nodeIPv4, remoteAS: test.nodeAS),
                    .init(address: link.nodeIPv6, remoteAS: test.nodeAS),
                ], originatedRoutes: routerRoutes)
            let router: any BGPPeerLabRouter =
                switch test.router {
                case .bird: try await BirdRouter.start(in: lab, namespace: lab.router, configuration: configuration)
                case .gobgp: try await GoBGPRouter.start(in: lab, namespace: lab.router, configuration: configuration)
                case .frr: try await FRRRouter.start(in: lab, namespace: lab.router, configuration: configuration)
                }
            try await withNodeSpeaker(
                lab, localAS: test.nodeAS,
                peers: [
                    SpeakerFixtures.peer(BGPAddress(link.routerIPv4)!, remoteAS: test.routerAS),
                    SpeakerFixtures.peer(BGPAddress(link.routerIPv6)!, remoteAS: test.routerAS),
                ]
            ) { speaker in
                try await speaker.originate([
                    BGPPrefix("10.20.0.0/24")!: PathAttributes(communities: [BGPCommunity(asn: 65020, value: 7)]),
                    BGPPrefix("fd00:20::/64")!: PathAttributes(
                        largeCommunities: [LargeCommunity(test.nodeAS, 6, 6)]),
                ])
                try await speaker.start()
                try await router.waitUntilEstablished(link.nodeIPv4)
                try await router.waitUntilEstablished(link.nodeIPv6)
                let wantedV4: Set = [
                    BGPPeerLabRoute(
                        prefix: "10.20.0.0/24", nextHop: link.nodeIPv4, asPath: [test.nodeAS],
                        communities: [Community(65020, 7)])
                ]
                let v4 = try await router.waitForRoutes(from: link.nodeIPv4, "\(wantedV4)") { Set($0) == wantedV4 }
                #expect(Set(v4) == wantedV4)
                let wantedV6: Set = [
                    BGPPeerLabRoute(
                        prefix: BGPPeerLabAddress.canonicalPrefix("fd00:20::/64")!,
                        nextHop: BGPPeerLabAddress.canonical(link.nodeIPv6)!, asPath: [test.nodeAS],
                        largeCommunities: [.init(test.nodeAS, 6, 6)])
                ]
                let v6 = try await router.waitForRoutes(from: link.nodeIPv6, "\(wantedV6)") { Set($0) == wantedV6 }
                #expect(Set(v6) == wantedV6)

                try await Polling.untilAsync("the router's routes are in Rudder's Loc-RIB") {
                    let routes = try await speaker.routes()
                    return routes.count == 4
                }
                let routes = try await speaker.routes()
                let fromRouter = routes.filter { $0.source.address.family == .ipv4 && $0.source.kind == .external }
                let v4Route = try #require(routes.first { $0.prefix == BGPPrefix("10.30.0.0/24")! })
                #expect(v4Route.attributes.nextHop == BGPAddress(link.routerIPv4))
                #expect(v4Route.attributes.attributes.communities == [BGPCommunity(asn: 65010, value: 100)])
                #expect(v4Route.attributes.attributes.asPath == ASPath(sequence: [test.routerAS]))
                #expect(fromRouter.count == 1)
                let v6Route = try #require(routes.first { $0.prefix == BGPPrefix("fd00:30::/64")! })
                #expect(v6Route.attributes.nextHop == BGPAddress(link.routerIPv6))
                #expect(v6Route.attributes.attributes.communities == [BGPCommunity(asn: 65010, value: 6)])
            }
        }
    }

    /// BIRD as an old 2-octet speaker (`enable as4 off`, RFC 6793): it offers no 4-octet AS
    /// capability, so the session carries AS numbers in two octets both ways. (A 4-octet node AS
    /// cannot be tried this way: BIRD then still reads the AS from Rudder's capability and refuses
    /// it against the AS_TRANS it must be configured with; the AS_TRANS and AS4_PATH encoding is
    /// covered by the codec tests and the fuzzer.)
    @Test(arguments: [UInt32(65020)])
    func birdWithoutTheFourOctetCapability(nodeAS: UInt32) async throws {
        try await withBGPPeerLab(nodes: 1) { lab in
            let link = lab.links[0]
            let router = try await BirdRouter.start(
                in: lab, namespace: lab.router,
                configuration: BGPPeerLabRouterConfiguration(
                    localAS: 65010, routerID: link.routerIPv4,
                    // An old speaker knows a 4-octet neighbor as AS_TRANS, and BIRD takes no other.
                    neighbors: [
                        .init(address: link.nodeIPv4, remoteAS: nodeAS > 65535 ? 23456 : nodeAS, fourOctetAS: false)
                    ],
                    originatedRoutes: [BGPPeerLabOriginatedRoute("10.30.0.0/24")]))
            try await withNodeSpeaker(
                lab, localAS: nodeAS,
                peers: [SpeakerFixtures.peer(BGPAddress(link.routerIPv4)!, remoteAS: 65010)]
            ) { speaker in
                try await speaker.originate([BGPPrefix("10.20.0.0/24")!: PathAttributes()])
                try await speaker.start()
                do {
                    try await router.waitUntilEstablished(link.nodeIPv4)
                } catch {
                    Issue.record("BIRD's log:\n\(router.logTail())")
                    throw error
                }
                let wanted: Set = [BGPPeerLabRoute(prefix: "10.20.0.0/24", nextHop: link.nodeIPv4, asPath: [nodeAS])]
                let routes = try await router.waitForRoutes(from: link.nodeIPv4, "\(wanted)") { Set($0) == wanted }
                #expect(Set(routes) == wanted)
                try await Polling.untilAsync("BIRD's route is in Rudder's Loc-RIB") {
                    try await speaker.routes().contains { $0.prefix == BGPPrefix("10.30.0.0/24")! }
                }
                let learned = try #require(try await speaker.routes().first { $0.prefix == BGPPrefix("10.30.0.0/24")! })
                #expect(learned.attributes.attributes.asPath == ASPath(sequence: [65010]))
                #expect(learned.source.autonomousSystem == 65010)
            }
        }
    }

    @Test func birdWithTheShippedTorConf() async throws {
        try await withBGPPeerLab(nodes: 1) { lab in
            let link = lab.links[0]
            let copy = lab.directory + "/bird-configs"
            let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent()
            try FileManager.default.copyItem(atPath: repository.path + "/bird-configs", toPath: copy)
            let params = copy + "/rudder-params.conf"
            var text = try String(contentsOfFile: params, encoding: .utf8)
            for (name, value) in [
                ("RACK_NODES_V4", BGPPeerLabLink.ipv4Range), ("RACK_NODES_V6", BGPPeerLabLink.ipv6Range),
                ("BGP_PASSWORD", "\"lab-secret\""),
            ] {
                text = text.split(separator: "\n", omittingEmptySubsequences: false).map {
                    $0.hasPrefix("define \(name) = ") ? "define \(name) = \(value);" : String($0)
                }.joined(separator: "\n")
            }
            try text.write(toFile: params, atomically: true, encoding: .utf8)
            let tor = try await BirdRouter.start(in: lab, namespace: lab.router, configFile: copy + "/tor.conf")

            try await withNodeSpeaker(
                lab, localAS: 64512,
                peers: [
                    SpeakerFixtures.peer(BGPAddress(link.routerIPv4)!, remoteAS: 65000, password: "lab-secret"),
                    SpeakerFixtures.peer(BGPAddress(link.routerIPv6)!, remoteAS: 65000, password: "lab-secret"),
                ]
            ) { speaker in
                try await speaker.originate([
                    BGPPrefix("10.244.0.0/24")!: PathAttributes(),  // pod CIDR: accepted
                    BGPPrefix("10.96.0.10/32")!: PathAttributes(),  // service VIP: accepted
                    BGPPrefix("192.168.77.0/24")!: PathAttributes(),  // outside both sets: rejected
                    BGPPrefix("fd00:10:244::/64")!: PathAttributes(),  // IPv6 pod CIDR
                ])
                try await speaker.start()
                try await tor.waitUntilEstablished(link.nodeIPv4)
                try await tor.waitUntilEstablished(link.nodeIPv6)
                let v4 = try await tor.waitForRoutes(from: link.nodeIPv4, "the pod CIDR and the VIP") {
                    Set($0.map(\.prefix)) == ["10.244.0.0/24", "10.96.0.10/32"]
                }
                #expect(v4.allSatisfy { $0.nextHop == link.nodeIPv4 && $0.asPath == [64512] })
                try await tor.waitForRoutes(from: link.nodeIPv6, "the IPv6 pod CIDR") {
                    $0.map(\.prefix) == [BGPPeerLabAddress.canonicalPrefix("fd00:10:244::/64")]
                }
            }
        }
    }
}
