import Testing

@testable import BGP

/// Prefix patterns, rule order, actions, and RFC 8212's defaults.
@Suite struct PolicyTests {
    typealias R = RIBFixtures

    @Test func prefixPatternsMatchLikeBIRDs() throws {
        let ranged = try #require(BGPPrefixPattern("10.0.0.0/8{16,24}"))
        #expect(ranged.matches(R.prefix("10.1.0.0/16")))
        #expect(ranged.matches(R.prefix("10.200.3.0/24")))
        #expect(!ranged.matches(R.prefix("10.0.0.0/8")), "shorter than 16")
        #expect(!ranged.matches(R.prefix("10.1.1.128/25")), "longer than 24")
        #expect(!ranged.matches(R.prefix("11.1.0.0/16")), "outside 10/8")
        #expect(!ranged.matches(R.prefix("::/16")), "another family")
        #expect(ranged.description == "10.0.0.0/8{16,24}")

        let orLonger = try #require(BGPPrefixPattern("10.244.0.0/16+"))
        #expect(orLonger.matches(R.prefix("10.244.0.0/16")))
        #expect(orLonger.matches(R.prefix("10.244.7.1/32")))
        #expect(!orLonger.matches(R.prefix("10.0.0.0/8")))

        let exact = try #require(BGPPrefixPattern("2001:db8::/32"))
        #expect(exact.matches(R.prefix("2001:db8::/32")))
        #expect(!exact.matches(R.prefix("2001:db8::/48")))
        #expect(exact.description == "2001:db8::/32")
    }

    @Test(arguments: [
        "10.0.0.0/8{4,24}", "10.0.0.0/8{24,16}", "10.0.0.0/8{16,33}", "10.0.0.0/8{16}", "10.0.0.1/8",
        "10.0.0.0/8-", "10.0.0.0/8{a,b}", "", "10.0.0.0/8}",
    ])
    func malformedPatternsAreRefused(_ text: String) {
        #expect(BGPPrefixPattern(text) == nil)
    }

    @Test func theFirstDecidingRuleWinsAndNextRulesAccumulate() {
        let policy = BGPPolicy(
            name: "test",
            rules: [
                BGPPolicyRule(actions: [.addCommunity(BGPCommunity(asn: 65000, value: 1))], decision: .next),
                BGPPolicyRule(prefixes: [BGPPrefixPattern("192.168.0.0/16+")!], decision: .reject),
                BGPPolicyRule(
                    prefixes: [BGPPrefixPattern("10.0.0.0/8+")!],
                    actions: [
                        .setLocalPreference(250), .setMED(4), .addLargeCommunity(LargeCommunity(65000, 1, 2)),
                        .addCommunity(BGPCommunity(asn: 65000, value: 1)), .nextHopSelf,
                    ], decision: .accept),
            ], acceptsByDefault: false)
        let attributes = R.attributes()
        guard
            case .accepted(let accepted, let nextHopSelf) = policy.evaluate(
                R.prefix("10.1.0.0/24"), attributes, localAS: 65000)
        else {
            Issue.record("10.1.0.0/24 rejected")
            return
        }
        #expect(accepted.communities == [BGPCommunity(asn: 65000, value: 1)], "added once")
        #expect(accepted.largeCommunities == [LargeCommunity(65000, 1, 2)])
        #expect(accepted.localPreference == 250)
        #expect(accepted.multiExitDiscriminator == 4)
        #expect(nextHopSelf)
        #expect(
            policy.evaluate(R.prefix("192.168.1.0/24"), attributes, localAS: 65000)
                == .rejected(reason: "policy \"test\" rule 2 rejects 192.168.1.0/24"))
        #expect(
            policy.evaluate(R.prefix("172.16.0.0/12"), attributes, localAS: 65000)
                == .rejected(reason: "policy \"test\" rejects 172.16.0.0/12 by default"))
    }

    @Test func communityConditionsMustAllBePresent() {
        let tagged = BGPPolicyRule(
            communities: [BGPCommunity(asn: 65000, value: 1), BGPCommunity(asn: 65000, value: 2)], decision: .accept)
        let policy = BGPPolicy(name: "tagged", rules: [tagged], acceptsByDefault: false)
        let both = R.attributes(communities: [BGPCommunity(asn: 65000, value: 2), BGPCommunity(asn: 65000, value: 1)])
        let one = R.attributes(communities: [BGPCommunity(asn: 65000, value: 1)])
        #expect(policy.evaluate(R.prefix("10.1.0.0/24"), both, localAS: 65000).isAccepted)
        #expect(!policy.evaluate(R.prefix("10.1.0.0/24"), one, localAS: 65000).isAccepted)
    }

    @Test func prependPutsOurASInFrontTheGivenNumberOfTimes() {
        let policy = BGPPolicy(
            name: "prepend", rules: [BGPPolicyRule(actions: [.prependASPath(count: 3)], decision: .accept)],
            acceptsByDefault: false)
        guard case .accepted(let out, _) = policy.evaluate(R.prefix("10.1.0.0/24"), R.attributes(), localAS: 65000)
        else {
            Issue.record("rejected")
            return
        }
        #expect(out.asPath == ASPath(sequence: [65000, 65000, 65000, 65001]))
        let setFirst = ASPath([.init(.set, [1, 2])]).prepending(65000, count: 2)
        #expect(setFirst == ASPath([.init(.sequence, [65000, 65000]), .init(.set, [1, 2])]))
    }

    @Test func rfc8212DefaultsRejectForExternalAndAcceptForInternalPeers() {
        let route = R.attributes()
        let prefix = R.prefix("10.1.0.0/24")
        for direction in [BGPPolicy.Direction.import, .export] {
            let external = BGPPolicy.effective(nil, direction: direction, peer: "10.0.0.2 (AS 65001)", external: true)
            guard case .rejected(let reason) = external.evaluate(prefix, route, localAS: 65000) else {
                Issue.record("\(direction): external default accepted")
                continue
            }
            #expect(reason.contains("RFC 8212") && reason.contains("10.0.0.2") && reason.contains("\(direction)"))
            let internalDefault = BGPPolicy.effective(nil, direction: direction, peer: "10.0.0.5", external: false)
            #expect(internalDefault.evaluate(prefix, route, localAS: 65000) == .accepted(route, nextHopSelf: false))
            let configured = BGPPolicy(name: "x", acceptsByDefault: true)
            #expect(BGPPolicy.effective(configured, direction: direction, peer: "p", external: true) == configured)
        }
    }

    @Test func aPrependCountOutOfRangeIsAnError() {
        let policy = BGPPolicy(
            name: "silly", rules: [BGPPolicyRule(actions: [.prependASPath(count: 500)], decision: .accept)],
            acceptsByDefault: true)
        #expect(throws: BGPPolicyError(policy: "silly", problem: "rule 1 prepends 500 times, not 1 to 32")) {
            try policy.validate()
        }
    }
}
