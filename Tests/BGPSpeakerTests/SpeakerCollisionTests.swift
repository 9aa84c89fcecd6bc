import BGP
import BGPSpeaker
import RudderLab
import Testing

/// Connection collisions (RFC 4271 §6.8): the speaker connects to a raw peer while the raw peer
/// connects to it, and the raw peer sends OPENs on both; the connection opened by the side with
/// the higher BGP identifier must survive and the other get Cease / Connection Collision Resolution.
@Suite(.serialized) struct SpeakerCollisionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var rawIdentifier: UInt32
        var speakerKeepsItsOwn: Bool
        var testDescription: String { speakerKeepsItsOwn ? "lower peer identifier" : "higher peer identifier" }
    }

    @Test(
        arguments: [
            Case(rawIdentifier: 0x0000_0001, speakerKeepsItsOwn: true),
            Case(rawIdentifier: 0x0909_0909, speakerKeepsItsOwn: false),
        ])
    func theConnectionOfTheHigherIdentifierSurvives(_ test: Case) async throws {
        try await withSpeakerLab { lab in
            let listener = try await RawBGPPeer.listen(on: lab.rightLoop.loop, at: SpeakerLab.rightIPv4)
            defer { Task { await listener.close() } }
            let (speaker, _) = try lab.speaker(
                onLeft: true,
                SpeakerFixtures.left(
                    localAS: 65001, peers: [SpeakerFixtures.peer(SpeakerLab.rightIPv4, remoteAS: 65002)]))
            try await speaker.start()
            try await Polling.until("the speaker connected to the raw peer and sent its OPEN") {
                guard let first = listener.accepted.first else { return false }
                if case .open = first.messages.first { return true }
                return false
            }
            let outgoing = try #require(listener.accepted.first)
            let incoming = try await RawBGPPeer.connect(
                on: lab.rightLoop.loop, from: SpeakerLab.rightIPv4, to: SpeakerLab.leftIPv4)
            defer { Task { await incoming.close() } }
            try await Polling.until("the speaker answers the second connection with an OPEN") {
                if case .open = incoming.messages.first { return true }
                return false
            }
            let open = BGPMessage.open(
                BGPOpen(
                    autonomousSystem: 65002, holdTime: 90, identifier: test.rawIdentifier,
                    capabilities: [.multiprotocol(.ipv4Unicast)]))
            // The speaker may resolve the collision as soon as one connection is in OpenConfirm and
            // close the other before its OPEN goes out, so the second send may find it closed.
            try? await outgoing.send(open)
            try? await incoming.send(open)

            let (loser, winner) = test.speakerKeepsItsOwn ? (incoming, outgoing) : (outgoing, incoming)
            let collision = BGPNotification.cease(.connectionCollisionResolution)
            try await Polling.until("the losing connection gets Cease / Connection Collision Resolution") {
                loser.notifications.contains(collision) && loser.isClosed
            }
            try await winner.send(.keepalive)
            try await Polling.untilAsync("the surviving connection is Established") {
                try await speaker.state(of: SpeakerLab.rightIPv4) == .established
            }
            #expect(winner.notifications.isEmpty)
            #expect(!winner.isClosed)
        }
    }
}
