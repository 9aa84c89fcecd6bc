import BGP
import BGPSpeaker
import Logging
import NIOCore
import RudderLab
import Synchronization

/// Two network namespaces joined by a veth pair (10.0.0.1/24 and fd00::1/64 on the left,
/// 10.0.0.2/24, 10.0.0.3/24 and fd00::2/64 on the right), with an event loop in each, for speakers
/// and raw test peers. `close()` stops the speakers and loops and removes the namespaces.
final class SpeakerLab: Sendable {
    let left: NetworkNamespaceFixture
    let right: NetworkNamespaceFixture
    let leftLoop: NamespacedEventLoop
    let rightLoop: NamespacedEventLoop
    private let speakers = Mutex<[BGPSpeaker]>([])
    private let changeLogs = Mutex<[ChangeLog]>([])

    static let leftIPv4 = BGPAddress("10.0.0.1")!
    static let rightIPv4 = BGPAddress("10.0.0.2")!
    /// A second address on the right that no speaker has as a peer.
    static let strangerIPv4 = BGPAddress("10.0.0.3")!
    static let leftIPv6 = BGPAddress("fd00::1")!
    static let rightIPv6 = BGPAddress("fd00::2")!

    private init(
        left: NetworkNamespaceFixture, right: NetworkNamespaceFixture, leftLoop: NamespacedEventLoop,
        rightLoop: NamespacedEventLoop
    ) {
        self.left = left
        self.right = right
        self.leftLoop = leftLoop
        self.rightLoop = rightLoop
    }

    /// Creates the namespaces, the link and the loops; removes what it made if a step fails.
    static func make() async throws -> SpeakerLab {
        let left = try NetworkNamespaceFixture(prefix: "rudder-bgpspk")
        var right: NetworkNamespaceFixture?
        var leftLoop: NamespacedEventLoop?
        do {
            let made = try NetworkNamespaceFixture(prefix: "rudder-bgpspk")
            right = made
            try left.addVethPair("spkl", peer: "spkr", peerNamespace: made)
            try left.addAddress("10.0.0.1/24", to: "spkl")
            try left.addAddress("fd00::1/64", to: "spkl")
            try made.addAddress("10.0.0.2/24", to: "spkr")
            try made.addAddress("10.0.0.3/24", to: "spkr")
            try made.addAddress("fd00::2/64", to: "spkr")
            leftLoop = try await NamespacedEventLoop.make(in: left)
            let rightLoop = try await NamespacedEventLoop.make(in: made)
            return SpeakerLab(left: left, right: made, leftLoop: leftLoop!, rightLoop: rightLoop)
        } catch {
            await leftLoop?.shutdown()
            try? right?.remove()
            try? left.remove()
            throw error
        }
    }

    /// A speaker on the left or right loop, registered for cleanup, with its changes recorded.
    func speaker(onLeft: Bool, _ configuration: BGPSpeakerConfiguration) throws -> (BGPSpeaker, ChangeLog) {
        var logger = Logger(label: "rudder.bgp.test.\(onLeft ? "left" : "right")")
        logger.logLevel = .debug
        let speaker = try BGPSpeaker(
            configuration: configuration, eventLoop: (onLeft ? leftLoop : rightLoop).loop, logger: logger)
        let log = ChangeLog(speaker.bestRouteChanges)
        speakers.withLock { $0.append(speaker) }
        changeLogs.withLock { $0.append(log) }
        return (speaker, log)
    }

    /// Stops every speaker and loop and removes both namespaces.
    func close() async {
        for speaker in speakers.withLock({ $0 }) { try? await speaker.stop() }
        for log in changeLogs.withLock({ $0 }) { log.cancel() }
        await leftLoop.shutdown()
        await rightLoop.shutdown()
        try? right.remove()
        try? left.remove()
    }
}

/// Runs `body` with a new lab and closes it afterwards, also when `body` throws.
func withSpeakerLab(_ body: (SpeakerLab) async throws -> Void) async throws {
    let lab = try await SpeakerLab.make()
    do {
        try await body(lab)
    } catch {
        await lab.close()
        throw error
    }
    await lab.close()
}

/// Records every best-route change a speaker reports, from a task of its own.
final class ChangeLog: Sendable {
    private let changes = Mutex<[LocRIBChange]>([])
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(_ stream: AsyncStream<[LocRIBChange]>) {
        let reader = Task { [self] in
            for await batch in stream { changes.withLock { $0 += batch } }
        }
        task.withLock { $0 = reader }
    }

    /// Everything reported so far, in order.
    var all: [LocRIBChange] { changes.withLock { $0 } }

    /// Whether the last change reported for `prefix` made it best from a peer / withdrew it.
    func lastChange(of prefix: BGPPrefix) -> LocRIBChange? {
        all.last { $0.prefix == prefix }
    }

    func cancel() {
        task.withLock { $0?.cancel() }
    }
}

extension BGPSpeaker {
    /// The state of the session with `peer`, if the peer is known.
    func state(of peer: BGPAddress) async throws -> BGPSessionState.Name? {
        try await peers().first { $0.address == peer }?.state
    }

    /// The best route of `prefix`, if any.
    func route(_ prefix: BGPPrefix) async throws -> BGPRoute? {
        try await routes().first { $0.prefix == prefix }
    }
}
