@testable import BGP

/// Peers, OPENs and a driver loop shared by the session and RIB tests.
enum SessionFixtures {
    static let localAS: UInt32 = 65000
    static let routerID: UInt32 = 0x0a00_0001
    static let peerAddress = BGPAddress("10.0.0.2")!

    /// An external peer in AS 65001 with a 90 s hold time and graceful restart.
    static func external(
        passive: Bool = false, holdTime: UInt16 = 90, remoteAS: BGPRemoteAS = .fixed(65001)
    ) -> BGPPeerConfiguration {
        BGPPeerConfiguration(
            peerAddress: peerAddress, remoteAS: remoteAS, localAS: localAS, routerID: routerID, holdTime: holdTime,
            passive: passive, importPolicy: .acceptAll, exportPolicy: .acceptAll)
    }

    /// The OPEN a peer in `asNumber` sends.
    static func peerOpen(
        asNumber: UInt32 = 65001, holdTime: UInt16 = 30, identifier: UInt32 = 0x0a00_0002,
        gracefulRestart: GracefulRestartCapability? = nil, families: [AFISAFI] = [.ipv4Unicast]
    ) -> BGPOpen {
        var capabilities: [BGPCapability] = families.map { .multiprotocol($0) } + [.routeRefresh]
        if let gracefulRestart { capabilities.append(.gracefulRestart(gracefulRestart)) }
        return BGPOpen(
            autonomousSystem: asNumber, holdTime: holdTime, identifier: identifier, capabilities: capabilities)
    }

    /// Graceful restart for IPv4 unicast with the F bit as given.
    static func restart(time: UInt16 = 120, forwardingPreserved: Bool = true) -> GracefulRestartCapability {
        GracefulRestartCapability(
            restarting: false, restartTime: time,
            families: [.init(afiSafi: .ipv4Unicast, forwardingStatePreserved: forwardingPreserved)])
    }

    /// Runs start, connect, OPEN and KEEPALIVE; returns the session the machine established.
    @discardableResult
    static func establish(_ machine: inout BGPSessionStateMachine, open: BGPOpen = peerOpen()) -> BGPNegotiatedSession?
    {
        if machine.state == .idle { _ = machine.handle(.start) }
        _ = machine.handle(machine.configuration.passive ? .tcpConnectionConfirmed : .tcpConnectionEstablished)
        _ = machine.handle(.messageReceived(.open(open)))
        let actions = machine.handle(.messageReceived(.keepalive))
        for case .sessionEstablished(let session) in actions { return session }
        return nil
    }

    /// The NOTIFICATIONs among the actions.
    static func notifications(_ actions: [BGPSessionAction]) -> [BGPNotification] {
        actions.compactMap { if case .send(.notification(let notification)) = $0 { notification } else { nil } }
    }

    /// The durations the actions arm `kind` with.
    static func armed(_ kind: BGPTimerKind, in actions: [BGPSessionAction]) -> [Duration] {
        actions.compactMap { if case .armTimer(kind, let duration) = $0 { duration } else { nil } }
    }

    /// The session-down actions' parts.
    static func downs(_ actions: [BGPSessionAction]) -> [(BGPSessionDownReason, Bool, [AFISAFI])] {
        actions.compactMap {
            if case .sessionDown(let reason, let wasEstablished, let retained) = $0 {
                (reason, wasEstablished, retained)
            } else {
                nil
            }
        }
    }
}
