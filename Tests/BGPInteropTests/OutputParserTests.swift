import RudderLab
import Testing

/// The readers of birdc, gobgp and vtysh output, on output captured from BIRD 2.0.12, GoBGP 3.10
/// and FRR 8.4 here, and on malformed output, which must give a `BGPPeerLabError` naming the problem.
@Suite("Router output parsers")
struct OutputParserTests {
    typealias Community = BGPPeerLabRoute.Community
    typealias Large = BGPPeerLabRoute.LargeCommunity

    static let birdRoutes = """
        BIRD 2.0.12 ready.
        Table master4:
        10.202.0.0/24        unicast [tor4 18:10:46.223] * (100) [AS65000?]
        \tvia 10.99.0.1 on nv0
        \tType: BGP univ
        \tBGP.origin: Incomplete
        \tBGP.as_path: 65000 4200000001
        \tBGP.next_hop: 10.99.0.1
        \tBGP.local_pref: 100
        \tBGP.community: (65000,1) (65000,2)
        \tBGP.large_community: (65000, 1, 2)
                             unicast [tor5 18:10:47.000] (100) [AS65001?]
        \tvia 10.99.1.1 on nv1
        \tType: BGP univ
        \tBGP.as_path: 65001
        \tBGP.next_hop: 10.99.1.1
        \tBGP.community: (65001,9)
        \t(65001,10)

        Table master6:
        fd00:202::/64        unicast [tor6 18:10:46.096] * (100) [AS65000?]
        \tvia fd99::1 on nv0
        \tType: BGP univ
        \tBGP.as_path: 65000 {65003 65004}
        \tBGP.next_hop: fd99:0::1 fe80::1
        """

    @Test("BIRD routes: every route of a prefix, attributes, wrapped community lists, IPv6 next hops")
    func birdRoutes() throws {
        let routes = try BirdRouterOutputParser.routes(Self.birdRoutes)
        #expect(
            routes == [
                BGPPeerLabRoute(
                    prefix: "10.202.0.0/24", nextHop: "10.99.0.1", asPath: [65000, 4_200_000_001],
                    communities: [Community(65000, 2), Community(65000, 1)], largeCommunities: [Large(65000, 1, 2)]),
                BGPPeerLabRoute(
                    prefix: "10.202.0.0/24", nextHop: "10.99.1.1", asPath: [65001],
                    communities: [Community(65001, 9), Community(65001, 10)]),
                BGPPeerLabRoute(prefix: "fd00:202::/64", nextHop: "fd99::1", asPath: [65000, 65003, 65004]),
            ])
    }

    @Test(
        "Malformed BIRD route output is rejected",
        arguments: [
            "nonsense/99 unicast [x]\n\tBGP.next_hop: 10.0.0.1",
            "10.0.0.0/24 unicast [x]\n\tBGP.next_hop: 10.0.0.1\n\tBGP.community: (65000,x)",
            "10.0.0.0/24 unicast [x]\n\tBGP.next_hop: 10.0.0.1\n\tBGP.community: (65536,1)",
            "10.0.0.0/24 unicast [x]\n\tBGP.next_hop: 10.0.0.1\n\tBGP.large_community: (1, 2)",
            "10.0.0.0/24 unicast [x]\n\tBGP.next_hop: 10.0.0.1\n\tBGP.community: (1,2",
            "10.0.0.0/24 unicast [x]\n\tBGP.as_path: 65000 99999999999",
            "10.0.0.0/24 unicast [x]\n\tType: BGP univ",
            "\tBGP.next_hop: 10.0.0.1",
            "   unicast [x]\n\tBGP.next_hop: 10.0.0.1",
        ])
    func malformedBirdRoutes(_ output: String) {
        #expect(throws: BGPPeerLabError.self) { try BirdRouterOutputParser.routes(output) }
    }

    @Test("BIRD protocols: BGP state and neighbor address per protocol")
    func birdProtocols() throws {
        let output = """
            BIRD 2.0.12 ready.
            Name       Proto      Table      State  Since         Info
            device1    Device     ---        up     18:10:14.821
            range0     BGP        ---        start  18:10:14.821  Passive
              BGP state:          Passive
                Neighbor range:   10.255.0.0/16
            range0_1   BGP        ---        up     18:10:19.714  Established
              BGP state:          Established
                Neighbor address: 10.255.0.2
                Neighbor AS:      65001
            peer1      BGP        ---        start  18:10:14.821  Active        Socket: Connection refused
              BGP state:          Active
                Neighbor address: fd00:255:0:0::2
            """
        let protocols = try BirdRouterOutputParser.protocols(output)
        #expect(protocols.map(\.name) == ["device1", "range0", "range0_1", "peer1"])
        #expect(protocols[1].sessionState == .idle && protocols[1].neighborAddress == nil)
        #expect(protocols[2].sessionState == .established && protocols[2].neighborAddress == "10.255.0.2")
        #expect(protocols[3].sessionState == .active && protocols[3].neighborAddress == "fd00:255::2")
        #expect(throws: BGPPeerLabError.self) {
            try BirdRouterOutputParser.protocols("peer1 BGP --- up\n  BGP state: Flying")
        }
        #expect(throws: BGPPeerLabError.self) { try BirdRouterOutputParser.protocols("  BGP state: Established") }
        #expect(throws: BGPPeerLabError.self) {
            try BirdRouterOutputParser.protocols("peer1 BGP\n  Neighbor address: 10.0.0.999")
        }
    }

    @Test("GoBGP adj-in and neighbor JSON")
    func gobgp() throws {
        let adjIn = """
            {"10.201.0.0/24":[{"nlri":{"prefix":"10.201.0.0/24"},"age":1795889446,"best":false,"attrs":[\
            {"type":1,"value":0},{"type":2,"as_paths":[{"segment_type":2,"num":1,"asns":[4200000002]}]},\
            {"type":3,"nexthop":"10.99.0.2"},{"type":8,"communities":[4259905543]},\
            {"type":32,"value":[{"ASN":65001,"LocalData1":1,"LocalData2":2}]}],"stale":false}],\
            "fd00:201::/64":[{"nlri":{"prefix":"fd00:201::/64"},"attrs":[{"type":1,"value":0},\
            {"type":14,"nexthop":"fd99::2","afi":2,"safi":1,"value":[{"prefix":"fd00:201::/64"}]}]}]}
            """
        #expect(
            try GoBGPRouterOutputParser.routes(adjIn) == [
                BGPPeerLabRoute(
                    prefix: "10.201.0.0/24", nextHop: "10.99.0.2", asPath: [4_200_000_002],
                    communities: [Community(65001, 7)], largeCommunities: [Large(65001, 1, 2)]),
                BGPPeerLabRoute(prefix: "fd00:201::/64", nextHop: "fd99::2", asPath: []),
            ])
        #expect(try GoBGPRouterOutputParser.routes("") == [])
        #expect(try GoBGPRouterOutputParser.sessionState(#"{"state":{"session_state":6}}"#) == .established)
        #expect(try GoBGPRouterOutputParser.sessionState(#"{"state":{"session_state":3}}"#) == .active)
        #expect(try GoBGPRouterOutputParser.sessionState(#"{"state":{}}"#) == .idle)
        for bad in [
            "not json", #"{"10.0.0.0/33":[]}"#, #"{"10.0.0.0/24":[{"attrs":[{"type":3}]}]}"#,
            #"{"10.0.0.0/24":[{"attrs":[{"type":3,"nexthop":"10.0.0.1"},{"type":8,"communities":[4294967296]}]}]}"#,
            #"{"10.0.0.0/24":[{"attrs":[{"type":1,"value":0}]}]}"#, #"{"10.0.0.0/24":"x"}"#,
        ] {
            #expect(throws: BGPPeerLabError.self, "\(bad)") { try GoBGPRouterOutputParser.routes(bad) }
        }
        for bad in ["[]", #"{"state":{"session_state":9}}"#, #"{"error":"not found neighbor"}"#] {
            #expect(throws: BGPPeerLabError.self, "\(bad)") { try GoBGPRouterOutputParser.sessionState(bad) }
        }
    }

    @Test("FRR neighbor, neighbor routes and per-prefix JSON")
    func frr() throws {
        let prefix = """
            {"prefix":"fd00:201::/64","paths":[{"aspath":{"string":"65001","segments":[{"type":"as-sequence",\
            "list":[65001]}],"length":1},"community":{"string":"65001:7","list":["65001:7"]},\
            "largeCommunity":{"string":"65001:1:2","list":["65001:1:2"]},"nexthops":[{"ip":"fd99::2",\
            "afi":"ipv6","scope":"global"},{"ip":"fe80::1","afi":"ipv6","scope":"link-local"}],\
            "peer":{"peerId":"fd99::2","routerId":"10.99.0.2","type":"external"}},\
            {"aspath":{"string":"Local","segments":[],"length":0},"nexthops":[{"ip":"::"}],\
            "peer":{"peerId":"(unspec)"}}]}
            """
        #expect(
            try FRRRouterOutputParser.routes(prefix, from: "fd99:0::2") == [
                BGPPeerLabRoute(
                    prefix: "fd00:201::/64", nextHop: "fd99::2", asPath: [65001], communities: [Community(65001, 7)],
                    largeCommunities: [Large(65001, 1, 2)])
            ])
        #expect(
            try FRRRouterOutputParser.prefixes(#"{"routes":{"10.201.1.0/24":[],"10.201.0.0/24":[]}}"#) == [
                "10.201.0.0/24", "10.201.1.0/24",
            ])
        #expect(try FRRRouterOutputParser.prefixes(#"{"vrfId":0}"#) == [])
        #expect(
            try FRRRouterOutputParser.sessionState(#"{"10.99.0.2":{"bgpState":"OpenSent"}}"#, neighbor: "10.99.0.2")
                == .openSent)
        #expect(throws: BGPPeerLabError.self) {
            try FRRRouterOutputParser.sessionState(#"{"bgpNoSuchNeighbor":true}"#, neighbor: "10.99.0.2")
        }
        #expect(throws: BGPPeerLabError.self) { try FRRRouterOutputParser.prefixes(#"{"routes":{"x/1":[]}}"#) }
        for bad in [
            "% Unknown command", #"{"prefix":"10.0.0.0/24"}"#, #"{"prefix":"10.0.0.0/24","paths":[{"nexthops":[]}]}"#,
            #"{"prefix":"10.0.0.0/24","paths":[{"peer":{"peerId":"10.0.0.2"},"nexthops":[{"ip":"x"}]}]}"#,
            #"{"prefix":"10.0.0.0/24","paths":[{"peer":{"peerId":"10.0.0.2"},"nexthops":[{"ip":"10.0.0.2"}],"community":{"list":["1:2:3"]}}]}"#,
        ] {
            #expect(throws: BGPPeerLabError.self, "\(bad)") { try FRRRouterOutputParser.routes(bad, from: "10.0.0.2") }
        }
    }

    @Test("Addresses, prefixes and states have one canonical form")
    func canonicalForms() {
        #expect(BGPPeerLabAddress.canonical("fd00:0:0::1") == "fd00::1")
        #expect(BGPPeerLabAddress.canonical("010.1.1.1") == nil)
        #expect(BGPPeerLabAddress.canonicalPrefix("fd00:255:0::/64") == "fd00:255::/64")
        #expect(BGPPeerLabAddress.canonicalPrefix("10.0.0.0/33") == nil)
        #expect(BGPPeerLabAddress.canonicalPrefix("10.0.0.0") == nil)
        #expect(BGPPeerLabSessionState(routerText: "Idle (Admin)") == .idle)
        #expect(BGPPeerLabSessionState(routerText: "Established") == .established)
        #expect(BGPPeerLabSessionState(routerText: "Up") == nil)
    }

    @Test("Bulk routes: distinct consecutive /24s, bounded by the IPv4 space")
    func bulkRoutes() throws {
        let table = try BirdRouterBulkRoutes(count: 1_000_000)
        #expect(table.prefix(at: 0) == "16.0.0.0/24")
        #expect(table.prefix(at: 256) == "16.1.0.0/24")
        #expect(table.prefix(at: 999_999) == "31.66.63.0/24")
        #expect(throws: BGPPeerLabError.self) { try BirdRouterBulkRoutes(count: 1 << 24) }
        #expect(throws: BGPPeerLabError.self) { try BirdRouterBulkRoutes(count: 1, first: 0x1000_0001) }
        #expect(throws: BGPPeerLabError.self) { try BirdRouterBulkRoutes(count: -1) }
    }
}
