import BGP
import BGPSpeaker
import RudderLab
import Testing

/// TCP MD5 between two speakers, and graceful restart of one of them.
@Suite(.serialized) struct SpeakerMD5AndRestartTests {
    struct PasswordCase: Sendable, CustomTestStringConvertible {
        var name: String
        var right: String?
        var establishes: Bool
        var testDescription: String { name }
    }

    static let passwordCases = [
        PasswordCase(name: "same password", right: "s3cret-key", establishes: true),
        PasswordCase(name: "wrong password", right: "other-key", establishes: false),
        PasswordCase(name: "no password on one side", right: nil, establishes: false),
    ]

    @Test(arguments: passwordCases) func md5(_ test: PasswordCase) async throws {
        try await withSpeakerLab { lab in
            let (left, _) = try lab.speaker(
                onLeft: true,
                SpeakerFixtures.left(
                    localAS: 65001,
                    peers: [SpeakerFixtures.peer(SpeakerLab.rightIPv4, remoteAS: 65002, password: "s3cret-key")]))
            let (right, _) = try lab.speaker(
                onLeft: false,
                SpeakerFixtures.right(
                    localAS: 65002,
                    peers: [SpeakerFixtures.peer(SpeakerLab.leftIPv4, remoteAS: 65001, password: test.right)]))
            try await left.start()
            try await right.start()
            if test.establishes {
                try await Polling.untilAsync("the signed session is Established") {
                    try await left.state(of: SpeakerLab.rightIPv4) == .established
                }
            } else {
                let neverUp = try await Polling.never("a session is Established", for: .seconds(4)) {
                    let leftState = try await left.state(of: SpeakerLab.rightIPv4)
                    let rightState = try await right.state(of: SpeakerLab.leftIPv4)
                    return leftState == .established || rightState == .established
                }
                #expect(neverUp)
            }
        }
    }

    @Test func aRestartingSpeakersRoutesStayStaleUntilItsEndOfRIB() async throws {
        try await withSpeakerLab { lab in
            let kept = BGPPrefix("10.1.0.0/24")!
            let dropped = BGPPrefix("10.4.0.0/24")!
            let fresh = BGPPrefix("10.3.0.0/24")!
            let leftPeers = [SpeakerFixtures.peer(SpeakerLab.rightIPv4, remoteAS: 65002)]
            let (left, _) = try lab.speaker(onLeft: true, SpeakerFixtures.left(localAS: 65001, peers: leftPeers))
            let (right, rightLog) = try lab.speaker(
                onLeft: false,
                SpeakerFixtures.right(
                    localAS: 65002, peers: [SpeakerFixtures.peer(SpeakerLab.leftIPv4, remoteAS: 65001)]))
            try await left.originate([kept: PathAttributes(), dropped: PathAttributes()])
            try await left.start()
            try await right.start()
            try await Polling.untilAsync("the right speaker has both routes") {
                let routes = try await right.routes().map(\.prefix)
                return routes.contains(kept) && routes.contains(dropped)
            }

            // The left speaker goes away without a NOTIFICATION, as in a crash or an agent restart.
            try await left.stopForRestart()
            try await Polling.untilAsync("the right speaker keeps the routes, stale") {
                let state = try await right.state(of: SpeakerLab.leftIPv4)
                let routes = try await right.routes().filter { $0.prefix == kept || $0.prefix == dropped }
                return state != .established && routes.count == 2 && routes.allSatisfy(\.stale)
            }
            #expect(!rightLog.all.contains(.withdrawn(kept)))

            // It comes back restarted, announcing one of the old routes and a new one.
            let (restarted, _) = try lab.speaker(
                onLeft: true, SpeakerFixtures.left(localAS: 65001, peers: leftPeers, restarted: true))
            try await restarted.originate([kept: PathAttributes(), fresh: PathAttributes()])
            // The old listening socket can take a moment to leave the port (seen once: EADDRINUSE).
            try await Polling.untilAsync("the restarted speaker is listening") {
                try await restarted.start()
                return true
            }
            try await Polling.untilAsync("after End-of-RIB the right speaker holds exactly the re-advertised routes") {
                let routes = try await right.routes()
                return routes.map(\.prefix) == [kept, fresh] && routes.allSatisfy { !$0.stale }
            }
            // The change log hears of the RIB's changes after they are made: wait for it to catch up.
            try await Polling.until("the withdrawal of the dropped route is reported", timeout: .seconds(120)) {
                rightLog.lastChange(of: dropped) == .withdrawn(dropped)
            }
            #expect(!rightLog.all.contains(.withdrawn(kept)))
        }
    }
}

/// Dynamic neighbours: a speaker accepts a session from an address in a range, signed with the
/// range's password, and a changed peer at run time.
@Suite(.serialized) struct SpeakerDynamicNeighborTests {
    @Test func aRangeAcceptsASignedSessionAndForgetsItWhenItEnds() async throws {
        try await withSpeakerLab { lab in
            var template = SpeakerFixtures.peer(SpeakerLab.rightIPv4, remoteAS: 65002).configuration
            template.passive = true
            let range = BGPDynamicNeighborRange(
                prefix: BGPPrefix("10.0.0.0/24")!, remoteAS: 65002...65010, password: BGPPassword("range-key"),
                template: template)
            var leftConfiguration = SpeakerFixtures.left(localAS: 65001, peers: [])
            leftConfiguration.dynamicNeighbors = [range]
            let (left, _) = try lab.speaker(onLeft: true, leftConfiguration)
            let (right, _) = try lab.speaker(
                onLeft: false,
                SpeakerFixtures.right(
                    localAS: 65002,
                    peers: [SpeakerFixtures.peer(SpeakerLab.leftIPv4, remoteAS: 65001, password: "range-key")]))
            try await left.originate(BGPPrefix("10.1.0.0/24")!)
            try await left.start()
            try await right.start()
            try await Polling.untilAsync("the dynamic session is Established") {
                try await left.peers().contains { $0.address == SpeakerLab.rightIPv4 && $0.state == .established }
            }
            #expect(try await left.peers().allSatisfy(\.dynamic))
            try await Polling.untilAsync("the right speaker learned the route") {
                try await right.route(BGPPrefix("10.1.0.0/24")!) != nil
            }

            // The right side drops the peer at run time: the dynamic session ends and is forgotten.
            try await right.removePeer(SpeakerLab.leftIPv4)
            try await Polling.untilAsync("the dynamic peer is forgotten") { try await left.peers().isEmpty }
            #expect(try await right.route(BGPPrefix("10.1.0.0/24")!) == nil)

            // Added again with the wrong password, it never gets a session.
            try await right.addPeer(SpeakerFixtures.peer(SpeakerLab.leftIPv4, remoteAS: 65001, password: "wrong-key"))
            let neverUp = try await Polling.never("a session is Established", for: .seconds(3)) {
                try await right.state(of: SpeakerLab.leftIPv4) == .established
            }
            #expect(neverUp)
        }
    }
}
