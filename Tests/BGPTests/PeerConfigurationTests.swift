import Testing

@testable import BGP

/// Peer configuration checks and what its description shows.
@Suite struct PeerConfigurationTests {
    static func peer() -> BGPPeerConfiguration {
        BGPPeerConfiguration(
            peerAddress: BGPAddress("10.0.0.2")!, remoteAS: .fixed(65001), localAS: 65000, routerID: 0x0a00_0001)
    }

    @Test func theDefaultsAreValid() throws {
        try Self.peer().validate()
        var internalClient = Self.peer()
        internalClient.remoteAS = .fixed(65000)
        internalClient.routeReflectorClient = true
        try internalClient.validate()
    }

    /// A broken setting and the words its error must contain.
    static let broken: [(String, @Sendable (inout BGPPeerConfiguration) -> Void, String)] = [
        ("hold 2", { $0.holdTime = 2 }, "hold time 2 s"),
        ("local AS 0", { $0.localAS = 0 }, "local AS 0"),
        ("AS_TRANS", { $0.remoteAS = .fixed(23456) }, "remote AS 23456"),
        ("range with 0", { $0.remoteAS = .dynamic(0...10) }, "reserved AS 0"),
        ("router ID 0", { $0.routerID = 0 }, "router ID 0.0.0.0"),
        ("family mismatch", { $0.localAddress = BGPAddress("2001:db8::1") }, "local address 2001:db8::1"),
        ("TTL 0", { $0.multihopTTL = 0 }, "multihop TTL 0"),
        ("external client", { $0.routeReflectorClient = true }, "route-reflector client"),
        ("restart time", { $0.gracefulRestartTime = 5000 }, "graceful restart time 5000"),
        ("no family", { $0.families = [] }, "no address family"),
        ("multicast", { $0.families = [AFISAFI(afi: .ipv4, safi: .multicast)] }, "IPv4 multicast"),
        (
            "backoff", { $0.connectRetryBackoff = BGPConnectRetryBackoff(initial: .seconds(10), maximum: .seconds(1)) },
            "backoff"
        ),
        (
            "policy",
            {
                $0.importPolicy = BGPPolicy(
                    name: "bad", rules: [BGPPolicyRule(actions: [.prependASPath(count: 0)], decision: .accept)],
                    acceptsByDefault: true)
            }, "policy \"bad\""
        ),
    ]

    @Test(arguments: 0..<broken.count) func aBrokenSettingIsNamedWithThePeer(_ index: Int) {
        let (name, breakIt, words) = Self.broken[index]
        var configuration = Self.peer()
        breakIt(&configuration)
        do {
            try configuration.validate()
            Issue.record("\(name): accepted")
        } catch {
            #expect(error.peer == configuration.name, "\(name)")
            #expect(error.description.hasPrefix("BGP peer 10.0.0.2 (AS "), "\(name)")
            #expect(error.description.contains(words), "\(name): \(error)")
        }
    }

    @Test func theDescriptionSaysAPasswordIsSetAndNothingMore() {
        var configuration = Self.peer()
        configuration.hasPassword = true
        configuration.multihopTTL = 2
        #expect(configuration.description.contains("password set"))
        #expect(configuration.description.contains("multihop TTL 2"))
        #expect(Self.peer().description.contains("no password"))
    }

    @Test func externalnessFollowsTheRemoteAS() {
        var configuration = Self.peer()
        #expect(configuration.isExternal == true)
        configuration.remoteAS = .fixed(65000)
        #expect(configuration.isExternal == false)
        configuration.remoteAS = .dynamic(64512...65534)
        #expect(configuration.isExternal == nil, "decided by each peer's OPEN")
        configuration.remoteAS = .dynamic(65100...65200)
        #expect(configuration.isExternal == true)
    }

    @Test func backoffDoublesToItsCapAndResets() {
        var backoff = BGPConnectRetryBackoff(initial: .seconds(1), maximum: .seconds(5))
        #expect((0..<5).map { _ in backoff.next() } == [1, 2, 4, 5, 5].map { .seconds($0) })
        backoff.reset()
        #expect(backoff.next() == .seconds(1))
    }
}
