import BGP
import BGPSpeaker
import RudderLab
import Testing

/// Two Rudder speakers in two namespaces peer, exchange their routes, and report best-route changes.
@Suite(.serialized) struct SpeakerPeeringTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var leftAS: UInt32
        var rightAS: UInt32
        var ipv6: Bool
        var testDescription: String { name }
    }

    static let cases = [
        Case(name: "eBGP, 4-octet ASes, IPv4", leftAS: 4_200_000_001, rightAS: 4_200_000_002, ipv6: false),
        Case(name: "eBGP, 2-octet ASes, IPv6", leftAS: 65001, rightAS: 65002, ipv6: true),
        Case(name: "iBGP, IPv4", leftAS: 65000, rightAS: 65000, ipv6: false),
    ]

    @Test(arguments: cases) func speakersExchangeRoutesAndWithdrawals(_ test: Case) async throws {
        try await withSpeakerLab { lab in
            let leftAddress = test.ipv6 ? SpeakerLab.leftIPv6 : SpeakerLab.leftIPv4
            let rightAddress = test.ipv6 ? SpeakerLab.rightIPv6 : SpeakerLab.rightIPv4
            let (left, leftLog) = try lab.speaker(
                onLeft: true,
                SpeakerFixtures.left(
                    localAS: test.leftAS, peers: [SpeakerFixtures.peer(rightAddress, remoteAS: test.rightAS)]))
            let (right, rightLog) = try lab.speaker(
                onLeft: false,
                SpeakerFixtures.right(
                    localAS: test.rightAS, peers: [SpeakerFixtures.peer(leftAddress, remoteAS: test.leftAS)]))
            let leftPrefix = BGPPrefix(test.ipv6 ? "2001:db8:1::/48" : "10.1.0.0/24")!
            let rightPrefix = BGPPrefix(test.ipv6 ? "2001:db8:2::/48" : "10.2.0.0/24")!
            let extras = PathAttributes(
                multiExitDiscriminator: 20, communities: [BGPCommunity(rawValue: 0xfde8_0001)],
                largeCommunities: [LargeCommunity(test.leftAS, 1, 2)])
            try await left.originate(leftPrefix, attributes: extras)
            try await left.start()
            try await right.start()
            try await right.originate(rightPrefix)

            try await Polling.untilAsync("both sessions are Established") {
                let leftState = try await left.state(of: rightAddress)
                let rightState = try await right.state(of: leftAddress)
                return leftState == .established && rightState == .established
            }
            try await Polling.untilAsync("the right speaker has the left's route") {
                try await right.route(leftPrefix) != nil
            }
            let learned = try #require(try await right.route(leftPrefix))
            #expect(learned.attributes.nextHop == leftAddress)
            #expect(learned.attributes.attributes.communities == extras.communities)
            #expect(learned.attributes.attributes.largeCommunities == extras.largeCommunities)
            #expect(learned.attributes.attributes.multiExitDiscriminator == 20)
            let external = test.leftAS != test.rightAS
            #expect(learned.attributes.attributes.asPath == (external ? ASPath(sequence: [test.leftAS]) : ASPath()))
            #expect(learned.attributes.attributes.localPreference == (external ? nil : 100))
            #expect(learned.source.address == leftAddress)
            try await Polling.untilAsync("the left speaker has the right's route") {
                try await left.route(rightPrefix)?.attributes.nextHop == rightAddress
            }
            try await Polling.until("the change stream reported the learned route") {
                if case .bestChanged(let route) = rightLog.lastChange(of: leftPrefix) {
                    return route.source.address == leftAddress
                }
                return false
            }
            let status = try #require(try await right.peers().first)
            #expect(status.prefixesAccepted == 1)
            #expect(status.prefixesAdvertised == 1)
            #expect(status.uptime != nil)
            #expect(try await right.advertisedRoutes(to: leftAddress).map(\.prefix) == [rightPrefix])
            #expect(try await right.receivedRoutes(from: leftAddress).map(\.prefix) == [leftPrefix])

            try await left.withdraw([leftPrefix])
            try await Polling.untilAsync("the withdrawal reached the right speaker") {
                try await right.route(leftPrefix) == nil
            }
            try await Polling.until("the change stream reported the withdrawal") {
                rightLog.lastChange(of: leftPrefix) == .withdrawn(leftPrefix)
            }
            #expect(leftLog.all.contains { $0.prefix == rightPrefix })
        }
    }
}
