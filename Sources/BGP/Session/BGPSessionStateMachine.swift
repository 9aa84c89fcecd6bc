/// The RFC 4271 §8 finite state machine of one BGP connection, as a value: the driver feeds it
/// events (`handle(_:)`) and carries out the actions it returns, in order. It does no I/O, reads no
/// clock and keeps no timers itself; timers are armed and cancelled through actions.
///
/// One machine drives one connection. When a second connection to the same peer appears (both
/// sides connecting at once, or a restarted peer reconnecting), the driver runs a second machine
/// for it and asks `BGPCollisionResolver` which one to stop.
///
/// Beyond RFC 4271: connection attempts back off exponentially (`BGPConnectRetryBackoff`), and
/// graceful restart (RFC 4724) keeps a vanished peer's routes as stale until it comes back and sends
/// End-of-RIB, or its restart time runs out. RFC 8538's NOTIFICATION support (the N bit) is not
/// advertised, so any NOTIFICATION ends a session for good.
public struct BGPSessionStateMachine: Sendable {
    /// How long to wait for the peer's OPEN once ours is sent (RFC 4271 §8 suggests 4 minutes).
    public static let openSentHoldTime: Duration = .seconds(240)

    /// The peer this machine talks to.
    public let configuration: BGPPeerConfiguration
    /// The state and the facts that belong to it.
    private var phase: BGPSessionPhase
    private var started = false
    private var backoff: BGPConnectRetryBackoff
    private let forwardingStatePreserved: Bool

    /// The current state.
    public var state: BGPSessionState { phase.state }
    /// Families whose routes from this peer are kept stale by graceful restart.
    public var staleFamilies: [AFISAFI] { phase.staleFamilies }
    /// Families whose End-of-RIB the peer has not sent since the session became Established.
    public var awaitingEndOfRIB: [AFISAFI] {
        guard case .established(let established) = phase else { return [] }
        return established.awaitingEndOfRIB
    }

    /// A machine in Idle for `configuration`. `restarted` says this speaker has just restarted with
    /// its forwarding state (routes in the kernel) intact: the first OPEN then sets graceful
    /// restart's R bit, and every OPEN the F bits.
    public init(configuration: BGPPeerConfiguration, restarted: Bool = false) {
        self.configuration = configuration
        self.backoff = configuration.connectRetryBackoff
        self.phase = .early(.idle, .init(staleFamilies: [], restarting: restarted))
        self.forwardingStatePreserved = restarted
    }

    /// The delay the next failure will back off for.
    public var nextRetryDelay: Duration { backoff.current }

    /// The OPEN this machine sends.
    public var localOpen: BGPOpen {
        var capabilities: [BGPCapability] = configuration.families.map { .multiprotocol($0) }
        capabilities.append(.routeRefresh)
        if let restartTime = configuration.gracefulRestartTime {
            let families = configuration.families.map {
                GracefulRestartCapability.Family(afiSafi: $0, forwardingStatePreserved: forwardingStatePreserved)
            }
            capabilities.append(
                .gracefulRestart(
                    GracefulRestartCapability(
                        restarting: phase.unestablished.restarting, restartTime: restartTime, families: families)))
        }
        return BGPOpen(
            autonomousSystem: configuration.localAS, holdTime: configuration.holdTime,
            identifier: configuration.routerID, capabilities: capabilities)
    }

    /// Takes one event and returns what the driver must do, in order.
    public mutating func handle(_ event: BGPSessionEvent) -> [BGPSessionAction] {
        switch event {
        case .start:
            started = true
            return start()
        case .stop(let subcode):
            return stop(subcode)
        case .tcpConnectionConfirmed, .tcpConnectionEstablished:
            return connectionUp()
        case .tcpConnectionFailed:
            return connectionFailed()
        case .timerExpired(let kind):
            return timerExpired(kind)
        case .messageReceived(let message):
            return received(message)
        case .decodeFailed(let error):
            guard hasConnection else { return [] }
            return goIdle(.errorSent(error), sending: error.notification)
        }
    }

    /// Whether a TCP connection is up.
    private var hasConnection: Bool { state.name >= .openSent }

    private mutating func start() -> [BGPSessionAction] {
        guard case .early(.idle, let facts) = phase else { return [] }
        if configuration.passive {
            phase = .early(.active, facts)
            return [.cancelTimer(.idleHold)]
        }
        phase = .early(.connect, facts)
        return [.cancelTimer(.idleHold), .connect]
    }

    private mutating func stop(_ subcode: BGPNotification.CeaseSubcode) -> [BGPSessionAction] {
        started = false
        var actions: [BGPSessionAction] = []
        let previous = state
        if hasConnection { actions.append(.send(.notification(.cease(subcode)))) }
        if previous != .idle && previous != .active { actions.append(.closeConnection) }
        actions += [.connectRetry, .idleHold, .hold, .keepalive].map { .cancelTimer($0) }
        if previous.name >= .openSent {
            actions.append(
                .sessionDown(.stopped(subcode), wasEstablished: previous.name == .established, retainedFamilies: []))
        }
        actions += purgeStale()
        phase = .early(.idle, phase.unestablished)
        return actions
    }

    private mutating func connectionUp() -> [BGPSessionAction] {
        switch phase {
        case .early(.connect, let facts), .early(.active, let facts):
            phase = .early(.openSent, facts)
            return [
                .cancelTimer(.connectRetry), .send(.open(localOpen)), .armTimer(.hold, Self.openSentHoldTime),
            ]
        case .early(.idle, _):
            return [.closeConnection]
        case .early(.openSent, _), .openConfirm, .established:
            // A second connection belongs to a second machine (see BGPCollisionResolver).
            return []
        }
    }

    private mutating func connectionFailed() -> [BGPSessionAction] {
        switch phase {
        case .early(.idle, _), .early(.active, _):
            return []
        case .early(.connect, let facts):
            phase = .early(.active, facts)
            return retryLater()
        case .early(.openSent, let facts):
            // RFC 4271: back to Active, listening, and retrying later.
            phase = .early(.active, facts)
            return [
                .closeConnection, .cancelTimer(.hold),
                .sessionDown(.connectionLost, wasEstablished: false, retainedFamilies: []),
            ] + retryLater()
        case .openConfirm, .established:
            return goIdle(.connectionLost, sending: nil)
        }
    }

    private mutating func retryLater() -> [BGPSessionAction] {
        guard started && !configuration.passive else { return [] }
        return [.armTimer(.connectRetry, backoff.next())]
    }

    private mutating func timerExpired(_ kind: BGPTimerKind) -> [BGPSessionAction] {
        switch kind {
        case .connectRetry:
            guard case .early(.active, let facts) = phase, started, !configuration.passive else { return [] }
            phase = .early(.connect, facts)
            return [.connect]
        case .idleHold:
            guard case .early(.idle, _) = phase, started else { return [] }
            return start()
        case .hold:
            guard hasConnection else { return [] }
            let error = BGPError(
                object: "session", problem: "no message from the peer within the hold time",
                notification: .holdTimerExpired)
            return goIdle(.errorSent(error), sending: error.notification)
        case .keepalive:
            guard let session = state.negotiated, session.keepaliveInterval > 0 else { return [] }
            return [.send(.keepalive), .armTimer(.keepalive, .seconds(Int(session.keepaliveInterval)))]
        case .gracefulRestart:
            if case .established = phase { return [] }
            return purgeStale()
        case .stalePath:
            return purgeStale()
        }
    }

    /// Ends graceful restart for every family still stale.
    private mutating func purgeStale() -> [BGPSessionAction] {
        let families = phase.staleFamilies
        guard !families.isEmpty else { return [] }
        phase.staleFamilies = []
        return [.cancelTimer(.gracefulRestart), .cancelTimer(.stalePath), .purgeStaleRoutes(families)]
    }

    private mutating func received(_ message: BGPReceivedMessage) -> [BGPSessionAction] {
        switch phase {
        case .early(.idle, _), .early(.connect, _), .early(.active, _):
            return []
        case .early(.openSent, let facts):
            switch message {
            case .open(let open): return openReceived(open, facts)
            case .notification(let notification): return goIdle(.notificationReceived(notification), sending: nil)
            case .keepalive, .update, .routeRefresh: return unexpected(message, .unexpectedMessageInOpenSent)
            }
        case .openConfirm(let confirm):
            switch message {
            case .keepalive: return established(confirm)
            case .notification(let notification): return goIdle(.notificationReceived(notification), sending: nil)
            case .open, .update, .routeRefresh: return unexpected(message, .unexpectedMessageInOpenConfirm)
            }
        case .established(let established):
            return receivedWhileEstablished(message, established.session)
        }
    }

    private mutating func receivedWhileEstablished(
        _ message: BGPReceivedMessage, _ session: BGPNegotiatedSession
    ) -> [BGPSessionAction] {
        let holdRestart: [BGPSessionAction] =
            session.holdTime > 0 ? [.armTimer(.hold, .seconds(Int(session.holdTime)))] : []
        switch message {
        case .keepalive:
            return holdRestart
        case .update(let outcome):
            if case .sessionReset(let error) = outcome { return goIdle(.errorSent(error), sending: error.notification) }
            if case .clean(let update) = outcome, let family = update.endOfRIB {
                return holdRestart + endOfRIB(family)
            }
            guard let update = outcome.update else { return holdRestart }
            return holdRestart + [.deliverUpdate(update, problems: outcome.problems)]
        case .routeRefresh(let refresh):
            return holdRestart + (session.routeRefresh ? [.routeRefreshRequested(refresh)] : [])
        case .notification(let notification):
            return goIdle(.notificationReceived(notification), sending: nil)
        case .open:
            return unexpected(message, .unexpectedMessageInEstablished)
        }
    }

    private mutating func endOfRIB(_ family: AFISAFI) -> [BGPSessionAction] {
        guard case .established(var established) = phase else { return [] }
        established.awaitingEndOfRIB.removeAll { $0 == family }
        var actions: [BGPSessionAction] = [.endOfRIBReceived(family)]
        if established.staleFamilies.contains(family) {
            established.staleFamilies.removeAll { $0 == family }
            if established.staleFamilies.isEmpty { actions.append(.cancelTimer(.stalePath)) }
        }
        phase = .established(established)
        return actions
    }

    /// The peer's OPEN in OpenSent: check it, answer with KEEPALIVE, go to OpenConfirm.
    private mutating func openReceived(
        _ open: BGPOpen, _ facts: BGPSessionPhase.Unestablished
    ) -> [BGPSessionAction] {
        do throws(BGPError) {
            try validate(open)
        } catch {
            return goIdle(.errorSent(error), sending: error.notification)
        }
        let session = BGPNegotiatedSession(local: localOpen, peer: open, localAS: configuration.localAS)
        phase = .openConfirm(.init(facts, session: session))
        var actions: [BGPSessionAction] = [.send(.keepalive)]
        if session.holdTime > 0 {
            actions += [
                .armTimer(.hold, .seconds(Int(session.holdTime))),
                .armTimer(.keepalive, .seconds(Int(session.keepaliveInterval))),
            ]
        } else {
            actions.append(.cancelTimer(.hold))
        }
        return actions
    }

    /// The checks of `BGPOpen.validate`, with the configured AS or AS range.
    private func validate(_ open: BGPOpen) throws(BGPError) {
        switch configuration.remoteAS {
        case .fixed(let expected):
            try open.validate(
                localAS: configuration.localAS, localIdentifier: configuration.routerID, expectedPeerAS: expected)
        case .dynamic(let range):
            try open.validate(
                localAS: configuration.localAS, localIdentifier: configuration.routerID, expectedPeerAS: nil)
            guard range.contains(open.autonomousSystem) else {
                let myAS = open.myAutonomousSystem
                throw BGPError(
                    object: "OPEN", problem: "peer AS \(open.autonomousSystem) is outside the configured \(range)",
                    notification: .open(.badPeerAS, data: [UInt8(myAS >> 8), UInt8(myAS & 0xff)]))
            }
        }
    }

    /// The peer's KEEPALIVE in OpenConfirm: the session is up.
    private mutating func established(_ confirm: BGPSessionPhase.OpenConfirm) -> [BGPSessionAction] {
        var established = BGPSessionPhase.Established(confirm)
        let session = established.session
        backoff.reset()
        var actions: [BGPSessionAction] = []
        if session.holdTime > 0 { actions.append(.armTimer(.hold, .seconds(Int(session.holdTime)))) }
        actions.append(.sessionEstablished(session))
        defer { phase = .established(established) }
        guard !established.staleFamilies.isEmpty else { return actions }
        // RFC 4724 §4.2: stale routes of a family the peer no longer preserves go at once; the
        // others wait for its End-of-RIB, bounded by the stale-path time.
        actions.append(.cancelTimer(.gracefulRestart))
        let preserved = Set(
            (session.peerGracefulRestart?.families ?? []).filter(\.forwardingStatePreserved).map(\.afiSafi))
        let dropped = established.staleFamilies.filter { !preserved.contains($0) || !session.families.contains($0) }
        established.staleFamilies.removeAll { dropped.contains($0) }
        if !dropped.isEmpty { actions.append(.purgeStaleRoutes(dropped)) }
        if !established.staleFamilies.isEmpty {
            actions.append(.armTimer(.stalePath, .seconds(Int(configuration.stalePathTime))))
        }
        return actions
    }

    /// A message the state does not allow: Finite State Machine Error with RFC 6608's subcode.
    private mutating func unexpected(
        _ message: BGPReceivedMessage, _ subcode: BGPNotification.FiniteStateMachineSubcode
    ) -> [BGPSessionAction] {
        let error = BGPError(
            object: "\(Self.name(of: message)) message", problem: "unexpected in state \(state)",
            notification: .finiteStateMachine(subcode))
        return goIdle(.errorSent(error), sending: error.notification)
    }

    private static func name(of message: BGPReceivedMessage) -> String {
        switch message {
        case .open: "OPEN"
        case .update: "UPDATE"
        case .notification: "NOTIFICATION"
        case .keepalive: "KEEPALIVE"
        case .routeRefresh: "ROUTE-REFRESH"
        }
    }

    /// Ends the connection after an error or a loss, and backs off before starting again.
    private mutating func goIdle(
        _ reason: BGPSessionDownReason, sending notification: BGPNotification?
    )
        -> [BGPSessionAction]
    {
        let previous = state
        var actions: [BGPSessionAction] = []
        if let notification { actions.append(.send(.notification(notification))) }
        actions += [.closeConnection, .cancelTimer(.hold), .cancelTimer(.keepalive), .cancelTimer(.connectRetry)]
        var retained: [AFISAFI] = []
        var next = phase.unestablished
        if case .established(let session) = previous {
            if !reason.hadNotification, let restart = session.peerGracefulRestart, restart.restartTime > 0 {
                retained = session.families.filter { family in restart.families.contains { $0.afiSafi == family } }
            }
            actions.append(.cancelTimer(.stalePath))
            next.staleFamilies = retained
            if !retained.isEmpty {
                actions.append(
                    .armTimer(.gracefulRestart, .seconds(Int(session.peerGracefulRestart?.restartTime ?? 0))))
            } else {
                actions.append(.cancelTimer(.gracefulRestart))
            }
        }
        actions.append(
            .sessionDown(reason, wasEstablished: previous.name == .established, retainedFamilies: retained))
        phase = .early(.idle, next)
        if started { actions.append(.armTimer(.idleHold, backoff.next())) }
        return actions
    }
}
