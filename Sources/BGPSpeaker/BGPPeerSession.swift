import BGP
import Logging
import NIOCore

/// One peer of the speaker: its settings, the machine of its session (and, during a connection
/// collision, a second one), its Adj-RIB-Out and the figures the CLI shows. Confined to the
/// speaker's event loop like `BGPConnection`.
final class BGPPeerSession {
    /// The peer's settings, with the speaker-wide ones applied.
    let settings: BGPSpeakerPeer
    /// Accepted from a dynamic neighbour range, and forgotten when its session ends.
    let dynamic: Bool
    /// The machine that owns the session.
    private(set) var primary: BGPConnection
    /// A second connection while a collision is being resolved.
    private(set) var secondary: BGPConnection?
    /// What the peer has been sent, while Established.
    private(set) var adjRIBOut: AdjRIBOut?
    private weak var speaker: BGPSpeakerCore?
    private let restarted: Bool
    private var establishedAt: NIODeadline?
    private var negotiatedAS: UInt32?
    private var lastError: String?
    private var received = 0
    private let loop: any EventLoop
    private let logger: Logger

    init(settings: BGPSpeakerPeer, dynamic: Bool, restarted: Bool, speaker: BGPSpeakerCore, logger: Logger) {
        self.settings = settings
        self.dynamic = dynamic
        self.restarted = restarted
        self.speaker = speaker
        self.loop = speaker.loop
        var logger = logger
        logger[metadataKey: "peer"] = "\(settings.configuration.name)"
        self.logger = logger
        self.primary = BGPConnection(
            peer: nil, machine: BGPSessionStateMachine(configuration: settings.configuration, restarted: restarted),
            loop: speaker.loop, logger: logger)
        primary.belongs(to: self)
    }

    /// The peer's address.
    var address: BGPAddress { settings.address }

    private func makeConnection() -> BGPConnection {
        BGPConnection(
            peer: self, machine: BGPSessionStateMachine(configuration: settings.configuration, restarted: restarted),
            loop: loop, logger: logger)
    }

    /// Starts the session (connecting, or waiting for the peer when passive).
    func start() {
        primary.handle(.start)
    }

    /// Stops the session with Cease / `subcode` and forgets every connection.
    func stop(_ subcode: BGPNotification.CeaseSubcode) {
        secondary?.handle(.stop(subcode))
        secondary?.dispose()
        secondary = nil
        primary.handle(.stop(subcode))
        primary.dispose()
    }

    /// Drops every connection without a NOTIFICATION, as a crash would; routes are left as they are.
    func abandon() {
        secondary?.dispose()
        secondary = nil
        primary.dispose()
    }

    /// A new TCP connection with the peer: the machine takes it when it waits for one, a second
    /// machine when a session is under way (a collision), and it is closed otherwise.
    func adopt(_ channel: any Channel, direction: BGPCollisionResolver.Direction) {
        let waiting = primary.state.name == .connect || primary.state.name == .active
        if waiting && primary.channel == nil {
            primary.attach(channel, direction: direction)
            primary.handle(direction == .incoming ? .tcpConnectionConfirmed : .tcpConnectionEstablished)
        } else if primary.state.name >= .openSent && secondary == nil {
            logger.debug("second connection", metadata: ["direction": "\(direction)"])
            let connection = makeConnection()
            secondary = connection
            connection.startForExistingConnection(channel, direction: direction)
        } else {
            logger.debug(
                "connection refused", metadata: ["state": "\(primary.state)", "direction": "\(direction)"])
            channel.close(promise: nil)
        }
    }

    /// With two connections, once an OPEN has arrived on either: closes the one RFC 4271 §6.8
    /// (and RFC 4724 §4.2, for a peer that restarted) says to close.
    func resolveCollision() {
        guard let secondary, let speaker,
            let remote = secondary.state.negotiated ?? primary.state.negotiated
        else { return }
        let resolution = BGPCollisionResolver.resolve(
            existing: .init(direction: primary.direction, state: primary.state.name),
            new: .init(direction: secondary.direction, state: secondary.state.name),
            localIdentifier: speaker.configuration.routerID, localAS: speaker.configuration.localAS,
            remoteIdentifier: remote.peerIdentifier, remoteAS: remote.peerAS,
            peerGracefulRestart: primary.state.negotiated?.peerGracefulRestart != nil)
        switch resolution {
        case .keepBoth:
            return
        case .closeNew:
            logger.info("connection collision: closing the new connection")
            self.secondary = nil
            secondary.handle(.stop(.connectionCollisionResolution))
            secondary.dispose()
        case .closeExisting:
            let old = primary
            primary = secondary
            self.secondary = nil
            if old.state.name == .established {
                // The peer restarted and came back (RFC 4724 §4.2): the old connection goes without
                // a NOTIFICATION, so the peer's routes stay, stale, until the new session refreshes them.
                logger.info("peer reconnected while established: closing the old connection")
                old.handle(.tcpConnectionFailed)
            } else {
                logger.info("connection collision: closing the existing connection")
                old.handle(.stop(.connectionCollisionResolution))
            }
            old.dispose()
        }
    }

    // MARK: What the machines report

    func sessionEstablished(_ session: BGPNegotiatedSession, on connection: BGPConnection) {
        guard let speaker else { return }
        logger.info(
            "session established",
            metadata: [
                "peerAS": "\(session.peerAS)", "holdTime": "\(session.holdTime)", "families": "\(session.families)",
            ])
        establishedAt = .now()
        negotiatedAS = session.peerAS
        received = 0
        let policy = speaker.locRIB.peerUp(settings.configuration, session: session)
        if policy.defaultRejectReason != nil { logger.notice("\(policy.defaultRejectReason ?? "")") }
        let local = connection.localAddress ?? settings.configuration.localAddress ?? .zero(address.family)
        var out = AdjRIBOut(
            configuration: settings.configuration, session: session, localAddress: local,
            ipv6NextHop: settings.ipv6NextHop.map { MultiprotocolNextHop(global: $0) })
        let initial = out.initialAdvertisement(speaker.locRIB)
        adjRIBOut = out
        connection.send(initial)
    }

    func sessionDown(
        _ reason: BGPSessionDownReason, wasEstablished: Bool, retainedFamilies: [AFISAFI], on connection: BGPConnection
    ) {
        if connection === secondary {
            secondary = nil
            loop.assumeIsolated().execute { connection.dispose() }
            return
        }
        guard connection === primary else { return }
        lastError = reason.description
        logger.info(
            "session down",
            metadata: ["reason": "\(reason)", "retained": "\(retainedFamilies)", "wasEstablished": "\(wasEstablished)"])
        guard let speaker else { return }
        if dynamic && retainedFamilies.isEmpty {
            loop.assumeIsolated().execute { speaker.forgetDynamicPeer(self) }
        }
        guard wasEstablished else { return }
        establishedAt = nil
        adjRIBOut = nil
        speaker.publish(speaker.locRIB.peerDown(address, retainedFamilies: retainedFamilies))
    }

    func deliver(_ update: BGPUpdate, problems: [BGPAttributeProblem]) {
        guard let speaker else { return }
        if !problems.isEmpty {
            logger.warning("malformed UPDATE handled per RFC 7606", metadata: ["problems": "\(problems)"])
        }
        received += update.allAnnounced.count
        let summary = speaker.locRIB.apply(update, from: address)
        if let reason = summary.filterReason { logger.debug("import policy", metadata: ["reason": "\(reason)"]) }
        if let reason = summary.loopReason { logger.debug("loop", metadata: ["reason": "\(reason)"]) }
        speaker.publish(summary.changes)
    }

    func endOfRIB(_ family: AFISAFI) {
        guard let speaker else { return }
        logger.debug("End-of-RIB received", metadata: ["family": "\(family)"])
        speaker.publish(speaker.locRIB.purgeStale(address, families: [family]))
    }

    func purgeStale(_ families: [AFISAFI]) {
        guard let speaker else { return }
        speaker.publish(speaker.locRIB.purgeStale(address, families: families))
    }

    func refresh(_ family: AFISAFI, on connection: BGPConnection) {
        guard let adjRIBOut else { return }
        connection.send(adjRIBOut.refresh(family))
    }

    func readComplete() {
        speaker?.flushIfPending()
    }

    /// Sends Loc-RIB changes to the peer, when Established.
    func advertise(_ batches: [[LocRIBChange]]) {
        guard var out = adjRIBOut else { return }
        adjRIBOut = nil
        let updates = out.apply(batches: batches)
        adjRIBOut = out
        primary.send(updates)
    }

    /// What the CLI shows.
    var status: BGPPeerStatus {
        let state = primary.state
        return BGPPeerStatus(
            address: address,
            remoteAS: state.negotiated.map { .fixed($0.peerAS) } ?? settings.configuration.remoteAS,
            state: state.name,
            uptime: establishedAt.map { .nanoseconds((NIODeadline.now() - $0).nanoseconds) },
            lastError: lastError, prefixesReceived: received,
            prefixesAccepted: speaker?.locRIB.routeCount(from: address) ?? 0,
            prefixesAdvertised: adjRIBOut?.advertisedCount ?? 0, dynamic: dynamic)
    }
}
