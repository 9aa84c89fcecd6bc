import BGP
import BGPSpeaker
import RudderLab
import Testing

/// Sessions against a raw test peer: who may connect, the hold timer, and RFC 7606 handling of
/// malformed UPDATEs on a live session.
@Suite(.serialized) struct SpeakerSessionTests {
    static let rawAS: UInt32 = 65002
    static let prefix = BGPPrefix("10.9.0.0/24")!

    /// A left speaker (AS 65001) waiting for the raw peer at 10.0.0.2.
    private func startLeft(in lab: SpeakerLab, holdTime: UInt16 = 90) async throws -> BGPSpeaker {
        let peer = SpeakerFixtures.peer(SpeakerLab.rightIPv4, remoteAS: Self.rawAS, holdTime: holdTime, passive: true)
        let (speaker, _) = try lab.speaker(onLeft: true, SpeakerFixtures.left(localAS: 65001, peers: [peer]))
        try await speaker.start()
        return speaker
    }

    /// Connects the raw peer from 10.0.0.2 and brings the session up with OPEN and KEEPALIVE.
    private func establish(in lab: SpeakerLab, speaker: BGPSpeaker, holdTime: UInt16) async throws -> RawBGPPeer {
        let raw = try await RawBGPPeer.connect(
            on: lab.rightLoop.loop, from: SpeakerLab.rightIPv4, to: SpeakerLab.leftIPv4)
        try await raw.send(
            .open(
                BGPOpen(
                    autonomousSystem: Self.rawAS, holdTime: holdTime, identifier: SpeakerFixtures.rightRouterID,
                    capabilities: [.multiprotocol(.ipv4Unicast)])))
        try await raw.send(.keepalive)
        try await Polling.untilAsync("the session with the raw peer is Established") {
            try await speaker.state(of: SpeakerLab.rightIPv4) == .established
        }
        return raw
    }

    @Test func aConnectionFromANonPeerIsClosedAtOnce() async throws {
        try await withSpeakerLab { lab in
            let speaker = try await startLeft(in: lab)
            let stranger = try await RawBGPPeer.connect(
                on: lab.rightLoop.loop, from: SpeakerLab.strangerIPv4, to: SpeakerLab.leftIPv4)
            defer { Task { await stranger.close() } }
            try await Polling.until("the stranger's connection is closed") { stranger.isClosed }
            #expect(stranger.receivedByteCount == 0)
            let peers = try await speaker.peers()
            #expect(peers.map(\.address) == [SpeakerLab.rightIPv4])
            #expect(peers.first?.state == .active)

            // The configured peer's address, by contrast, is answered with an OPEN.
            let peer = try await RawBGPPeer.connect(
                on: lab.rightLoop.loop, from: SpeakerLab.rightIPv4, to: SpeakerLab.leftIPv4)
            defer { Task { await peer.close() } }
            try await Polling.until("the peer gets an OPEN") {
                if case .open = peer.messages.first { return true }
                return false
            }
            #expect(!peer.isClosed)
        }
    }

    @Test func aPeerThatFallsSilentIsDroppedWithHoldTimerExpired() async throws {
        try await withSpeakerLab { lab in
            let speaker = try await startLeft(in: lab, holdTime: 3)
            let raw = try await establish(in: lab, speaker: speaker, holdTime: 3)
            defer { Task { await raw.close() } }
            // The raw peer now sends nothing at all.
            try await Polling.until("the speaker sends Hold Timer Expired", timeout: .seconds(20)) {
                raw.notifications.contains(.holdTimerExpired)
            }
            try await Polling.until("the speaker closes the connection") { raw.isClosed }
            let status = try #require(try await speaker.peers().first)
            #expect(status.state != .established)
            #expect(status.lastError?.contains("hold time") == true)
        }
    }

    @Test func malformedUpdatesAreHandledAsRFC7606Says() async throws {
        try await withSpeakerLab { lab in
            let speaker = try await startLeft(in: lab)
            let raw = try await establish(in: lab, speaker: speaker, holdTime: 0)
            defer { Task { await raw.close() } }
            let valid = WireBytes.update(
                attributes: [WireBytes.origin, WireBytes.asPath, WireBytes.nextHop], nlri: WireBytes.nlri)
            let treatAsWithdraw: [(String, [[UInt8]])] = [
                ("ORIGIN of length 2", [WireBytes.attribute(0x40, 1, [0, 0]), WireBytes.asPath, WireBytes.nextHop]),
                (
                    "AS_PATH with segment type 5",
                    [
                        WireBytes.origin, WireBytes.attribute(0x40, 2, WireBytes.hex("05 01 0000fdea")),
                        WireBytes.nextHop,
                    ]
                ),
                (
                    "NEXT_HOP 127.0.0.1",
                    [WireBytes.origin, WireBytes.asPath, WireBytes.attribute(0x40, 3, WireBytes.hex("7f000001"))]
                ),
            ]
            for (name, attributes) in treatAsWithdraw {
                try await raw.send(valid)
                try await Polling.untilAsync("the valid route is in the Loc-RIB before \(name)") {
                    try await speaker.route(Self.prefix) != nil
                }
                try await raw.send(WireBytes.update(attributes: attributes, nlri: WireBytes.nlri))
                try await Polling.untilAsync("\(name) withdraws the route") {
                    try await speaker.route(Self.prefix) == nil
                }
                #expect(try await speaker.state(of: SpeakerLab.rightIPv4) == .established, "\(name)")
                #expect(raw.notifications.isEmpty, "\(name)")
            }

            try await raw.send(valid)
            try await Polling.untilAsync("the valid route is back") { try await speaker.route(Self.prefix) != nil }
            // An unrecognized well-known attribute still resets the session (RFC 4271 §6.3).
            try await raw.send(
                WireBytes.update(
                    attributes: [
                        WireBytes.origin, WireBytes.asPath, WireBytes.nextHop, WireBytes.attribute(0x40, 99, [7]),
                    ], nlri: WireBytes.nlri))
            try await Polling.until("the speaker sends UPDATE Message Error / Unrecognized Well-known Attribute") {
                raw.notifications.contains { $0.code == 3 && $0.subcode == 2 }
            }
            try await Polling.untilAsync("the session is down and its route gone") {
                let state = try await speaker.state(of: SpeakerLab.rightIPv4)
                let route = try await speaker.route(Self.prefix)
                return state != .established && route == nil
            }
        }
    }
}

/// GTSM (RFC 5082): with TTL security on for a directly connected peer, only segments that left
/// their sender with TTL 255 reach the session; anything that crossed a router, or was sent with
/// an ordinary TTL, is dropped by the kernel before BGP sees it (IP_MINTTL on the listener, which
/// drops the handshake, and on each session's socket).
@Suite(.serialized) struct SpeakerGTSMTests {
    private func open(_ raw: RawBGPPeer) async throws {
        try await raw.send(
            .open(
                BGPOpen(
                    autonomousSystem: 65002, holdTime: 90, identifier: SpeakerFixtures.rightRouterID,
                    capabilities: [.multiprotocol(.ipv4Unicast)])))
        try await raw.send(.keepalive)
    }

    @Test func onlySegmentsArrivingWithTTL255ReachTheSession() async throws {
        try await withSpeakerLab { lab in
            var peer = SpeakerFixtures.peer(SpeakerLab.rightIPv4, remoteAS: 65002, passive: true)
            peer.configuration.ttlSecurity = true
            let (speaker, _) = try lab.speaker(onLeft: true, SpeakerFixtures.left(localAS: 65001, peers: [peer]))
            try await speaker.start()
            // TTL 254: one hop away, as if through a router. The listener's minimum TTL drops its
            // SYN, so it never connects, and nothing it sends can slip in before the accepted
            // socket gets a minimum of its own.
            await #expect(throws: (any Error).self) {
                let far = try await RawBGPPeer.connect(
                    on: lab.rightLoop.loop, from: SpeakerLab.rightIPv4, to: SpeakerLab.leftIPv4, ttl: 254)
                await far.close()
            }
            #expect(try await speaker.state(of: SpeakerLab.rightIPv4) != .established)
            // TTL 255, the directly connected peer: the session comes up.
            let near = try await RawBGPPeer.connect(
                on: lab.rightLoop.loop, from: SpeakerLab.rightIPv4, to: SpeakerLab.leftIPv4, ttl: 255)
            defer { Task { await near.close() } }
            try await open(near)
            try await Polling.untilAsync("the peer with TTL 255 is Established") {
                try await speaker.state(of: SpeakerLab.rightIPv4) == .established
            }
        }
    }
}
