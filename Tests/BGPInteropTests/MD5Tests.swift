import RudderLab
import Testing

/// TCP MD5 (RFC 2385) between a BIRD (or FRR) router and a GoBGP node: the session comes up only
/// when both sides use the same password. The negative cases poll the session state over a bounded window
/// (several connection retries) and must never see Established.
@Suite("TCP MD5 between lab routers")
struct MD5Tests {
    struct Case: Sendable, CustomTestStringConvertible {
        /// FRR instead of BIRD on the router side (FRR's `bgp listen range` with a peer-group password).
        var frr = false
        /// Whether the router takes the node through a neighbor range (as bird-configs/tor.conf does).
        var range: Bool
        /// The node's password; the router's is always "lab-secret".
        var nodePassword: String?
        var comesUp: Bool
        var testDescription: String {
            "\(frr ? "FRR" : "BIRD") \(range ? "range" : "neighbor"), node password \(nodePassword.map { "\"\($0)\"" } ?? "none")"
        }
    }

    @Test(
        "The session is Established only with the same password",
        arguments: [
            Case(range: false, nodePassword: "lab-secret", comesUp: true),
            Case(range: true, nodePassword: "lab-secret", comesUp: true),
            Case(range: false, nodePassword: "wrong-secret", comesUp: false),
            Case(range: true, nodePassword: nil, comesUp: false),
            Case(frr: true, range: true, nodePassword: "lab-secret", comesUp: true),
            Case(frr: true, range: true, nodePassword: "wrong-secret", comesUp: false),
        ])
    func md5(_ test: Case) async throws {
        try await withBGPPeerLab(nodes: 1) { lab in
            let link = lab.links[0]
            let password = "lab-secret"
            let configuration = BGPPeerLabRouterConfiguration(
                localAS: 65000, routerID: link.routerIPv4,
                neighbors: test.range ? [] : [.init(address: link.nodeIPv4, remoteAS: 65001, password: password)],
                neighborRanges: test.range
                    ? [.init(prefix: BGPPeerLabLink.ipv4Range, remoteAS: 65001, password: password)] : [])
            let router: any BGPPeerLabRouter =
                test.frr
                ? try await FRRRouter.start(in: lab, namespace: lab.router, configuration: configuration)
                : try await BirdRouter.start(in: lab, namespace: lab.router, configuration: configuration)
            let node = try await GoBGPRouter.start(
                in: lab, namespace: lab.nodes[0],
                configuration: BGPPeerLabRouterConfiguration(
                    localAS: 65001, routerID: link.nodeIPv4,
                    neighbors: [.init(address: link.routerIPv4, remoteAS: 65000, password: test.nodePassword)],
                    originatedRoutes: [BGPPeerLabOriginatedRoute("10.244.0.0/24")]))
            if test.comesUp {
                try await node.waitUntilEstablished(link.routerIPv4)
                try await router.waitForRoutes(from: link.nodeIPv4, "the node's pod CIDR") {
                    $0.map(\.prefix) == ["10.244.0.0/24"]
                }
            } else {
                // gobgpd retries every 2 s (connect-retry in the lab config): 8 s spans several attempts.
                let cameUp = try await node.everEstablished(link.routerIPv4, within: .seconds(8))
                #expect(!cameUp, "the session came up with mismatched passwords")
                #expect(try node.sessionState(of: link.routerIPv4) != .established)
            }
        }
    }
}
