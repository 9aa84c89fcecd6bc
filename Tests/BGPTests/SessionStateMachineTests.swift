import RudderLab
import Testing

@testable import BGP

/// The RFC 4271 session state machine: each transition that matters, with the actions it returns.
@Suite struct SessionStateMachineTests {
    typealias F = SessionFixtures

    @Test func anActivePeerConnectsAndAPassiveOneWaits() {
        var active = BGPSessionStateMachine(configuration: F.external())
        #expect(active.handle(.start) == [.cancelTimer(.idleHold), .connect])
        #expect(active.state == .connect)

        var passive = BGPSessionStateMachine(configuration: F.external(passive: true))
        #expect(passive.handle(.start) == [.cancelTimer(.idleHold)])
        #expect(passive.state == .active)
        #expect(passive.handle(.timerExpired(.connectRetry)) == [], "a passive peer never connects")
        let actions = passive.handle(.tcpConnectionConfirmed)
        #expect(passive.state == .openSent)
        #expect(actions.contains(.send(.open(passive.localOpen))))
    }

    @Test func theOpenSentCarriesOurParametersAndTheOpenSentHoldTimeIsArmed() {
        var machine = BGPSessionStateMachine(configuration: F.external())
        _ = machine.handle(.start)
        let actions = machine.handle(.tcpConnectionEstablished)
        #expect(
            actions == [
                .cancelTimer(.connectRetry), .send(.open(machine.localOpen)), .armTimer(.hold, .seconds(240)),
            ])
        let open = machine.localOpen
        #expect(open.autonomousSystem == F.localAS)
        #expect(open.holdTime == 90)
        #expect(open.identifier == F.routerID)
        #expect(open.multiprotocolFamilies == [.ipv4Unicast])
        #expect(open.capabilities.contains(.routeRefresh))
        #expect(open.fourOctetASCapability == F.localAS)
        #expect(open.gracefulRestart?.restartTime == 120)
        #expect(open.gracefulRestart?.restarting == false)
    }

    @Test func aRestartedSpeakerSetsTheRestartBitOnlyUntilEstablished() throws {
        var machine = BGPSessionStateMachine(configuration: F.external(), restarted: true)
        let restart = try #require(machine.localOpen.gracefulRestart)
        #expect(restart.restarting)
        #expect(restart.families.allSatisfy { $0.forwardingStatePreserved })
        F.establish(&machine)
        #expect(machine.localOpen.gracefulRestart?.restarting == false)
        #expect(machine.localOpen.gracefulRestart?.families.allSatisfy { $0.forwardingStatePreserved } == true)
    }

    @Test func openThenKeepaliveEstablishesWithNegotiatedParameters() throws {
        var machine = BGPSessionStateMachine(configuration: F.external())
        _ = machine.handle(.start)
        _ = machine.handle(.tcpConnectionEstablished)
        let restart = F.restart()
        let open = F.peerOpen(holdTime: 30, gracefulRestart: restart, families: [.ipv4Unicast, .ipv6Unicast])
        let confirm = machine.handle(.messageReceived(.open(open)))
        #expect(
            confirm == [.send(.keepalive), .armTimer(.hold, .seconds(30)), .armTimer(.keepalive, .seconds(10))])
        #expect(machine.state.name == .openConfirm)

        let established = machine.handle(.messageReceived(.keepalive))
        let session = try #require(machine.state.negotiated)
        #expect(established == [.armTimer(.hold, .seconds(30)), .sessionEstablished(session)])
        #expect(machine.state.name == .established)
        #expect(session.holdTime == 30, "the smaller of 90 and 30")
        #expect(session.keepaliveInterval == 10)
        #expect(session.peerAS == 65001)
        #expect(session.peerIdentifier == 0x0a00_0002)
        #expect(session.isExternal)
        #expect(session.fourOctetAS)
        #expect(session.families == [.ipv4Unicast], "IPv6 was offered by the peer only")
        #expect(session.routeRefresh)
        #expect(session.peerGracefulRestart == restart)
        #expect(session.codecContext == BGPCodecContext(fourOctetAS: true, externalPeer: true))
    }

    @Test func aPeerWithoutMultiprotocolCapabilitiesGetsIPv4Unicast() throws {
        var machine = BGPSessionStateMachine(configuration: F.external())
        let open = BGPOpen(autonomousSystem: 65001, holdTime: 90, identifier: 0x0a00_0002, capabilities: [])
        let session = try #require(F.establish(&machine, open: open))
        #expect(session.families == [.ipv4Unicast])
        #expect(!session.routeRefresh)
    }

    @Test func holdTimerExpiryInEstablishedSendsHoldTimerExpiredAndBacksOff() {
        var machine = BGPSessionStateMachine(configuration: F.external())
        F.establish(&machine, open: F.peerOpen(gracefulRestart: F.restart()))
        let actions = machine.handle(.timerExpired(.hold))
        #expect(F.notifications(actions) == [.holdTimerExpired])
        #expect(actions.first == .send(.notification(.holdTimerExpired)))
        #expect(actions.contains(.closeConnection))
        #expect(actions.contains(.cancelTimer(.keepalive)))
        let downs = F.downs(actions)
        #expect(downs.count == 1)
        #expect(downs.first?.1 == true)
        #expect(downs.first?.2 == [], "a NOTIFICATION was sent, so graceful restart keeps nothing (RFC 4724)")
        #expect(F.armed(.idleHold, in: actions) == [.seconds(1)])
        #expect(machine.state == .idle)
    }

    @Test func holdTimerExpiryWaitingForTheOpenAlsoSendsHoldTimerExpired() {
        var machine = BGPSessionStateMachine(configuration: F.external())
        _ = machine.handle(.start)
        _ = machine.handle(.tcpConnectionEstablished)
        let actions = machine.handle(.timerExpired(.hold))
        #expect(F.notifications(actions) == [.holdTimerExpired])
        #expect(F.downs(actions).first?.1 == false)
        #expect(machine.state == .idle)
    }

    /// OPENs the configured peer must refuse, and the NOTIFICATION each gets.
    static let badOpens: [(String, BGPRemoteAS, BGPOpen, BGPNotification.OpenSubcode)] = [
        ("another AS", .fixed(65001), F.peerOpen(asNumber: 65099), .badPeerAS),
        ("an AS outside the dynamic range", .dynamic(64512...64520), F.peerOpen(asNumber: 65001), .badPeerAS),
        ("hold time 2", .fixed(65001), F.peerOpen(holdTime: 2), .unacceptableHoldTime),
        ("hold time 1", .fixed(65001), F.peerOpen(holdTime: 1), .unacceptableHoldTime),
        ("identifier 0", .fixed(65001), F.peerOpen(identifier: 0), .badBGPIdentifier),
        (
            "our identifier on iBGP", .fixed(65000), F.peerOpen(asNumber: 65000, identifier: F.routerID),
            .badBGPIdentifier
        ),
        (
            "version 3", .fixed(65001),
            {
                var open = F.peerOpen(); open.version = 3; return open
            }(), .unsupportedVersionNumber
        ),
    ]

    @Test(arguments: 0..<badOpens.count) func aBadOpenGetsItsNotificationAndEndsInIdle(_ index: Int) {
        let (name, remoteAS, open, subcode) = Self.badOpens[index]
        var machine = BGPSessionStateMachine(configuration: F.external(remoteAS: remoteAS))
        _ = machine.handle(.start)
        _ = machine.handle(.tcpConnectionEstablished)
        let actions = machine.handle(.messageReceived(.open(open)))
        let notifications = F.notifications(actions)
        #expect(notifications.count == 1, "\(name)")
        #expect(notifications.first?.code == BGPNotification.Code.openMessage.rawValue, "\(name)")
        #expect(notifications.first?.subcode == subcode.rawValue, "\(name)")
        #expect(actions.contains(.closeConnection), "\(name)")
        #expect(machine.state == .idle, "\(name)")
        guard case .errorSent(let error)? = F.downs(actions).first?.0 else {
            Issue.record("\(name): no error reason in \(actions)")
            return
        }
        #expect(error.object == "OPEN", "\(name)")
    }

    @Test func badPeerASCarriesTheReceivedASAsData() {
        var machine = BGPSessionStateMachine(configuration: F.external())
        _ = machine.handle(.start)
        _ = machine.handle(.tcpConnectionEstablished)
        let actions = machine.handle(.messageReceived(.open(F.peerOpen(asNumber: 65099))))
        #expect(F.notifications(actions) == [.open(.badPeerAS, data: [0xfe, 0x4b])])
    }

    @Test func aDynamicRangeAcceptsAnyASInIt() throws {
        var machine = BGPSessionStateMachine(configuration: F.external(remoteAS: .dynamic(64512...65534)))
        let session = try #require(F.establish(&machine, open: F.peerOpen(asNumber: 64700)))
        #expect(session.peerAS == 64700)
        #expect(session.isExternal)
    }

    @Test func aNotificationReceivedGoesToIdleWithoutAnswerAndBacksOff() {
        var machine = BGPSessionStateMachine(configuration: F.external())
        F.establish(&machine, open: F.peerOpen(gracefulRestart: F.restart()))
        let notification = BGPNotification.cease(.administrativeReset)
        let actions = machine.handle(.messageReceived(.notification(notification)))
        #expect(F.notifications(actions).isEmpty, "a NOTIFICATION is never answered with one")
        #expect(actions.contains(.closeConnection))
        #expect(F.downs(actions).first?.0 == .notificationReceived(notification))
        #expect(F.downs(actions).first?.2 == [], "no graceful restart after a NOTIFICATION without RFC 8538")
        #expect(F.armed(.idleHold, in: actions) == [.seconds(1)])
        #expect(machine.state == .idle)
        #expect(machine.handle(.timerExpired(.idleHold)) == [.cancelTimer(.idleHold), .connect])
    }

    @Test func failuresBackOffExponentiallyToTheCapAndEstablishedResets() {
        var machine = BGPSessionStateMachine(configuration: F.external())
        _ = machine.handle(.start)
        var delays: [Duration] = []
        for _ in 0..<10 {
            _ = machine.handle(.tcpConnectionEstablished)
            let actions = machine.handle(.messageReceived(.notification(.cease(.connectionRejected))))
            delays += F.armed(.idleHold, in: actions)
            #expect(machine.handle(.timerExpired(.idleHold)).contains(.connect))
        }
        #expect(delays == [1, 2, 4, 8, 16, 32, 64, 120, 120, 120].map { .seconds($0) })
        F.establish(&machine)
        let actions = machine.handle(.tcpConnectionFailed)
        #expect(F.armed(.idleHold, in: actions) == [.seconds(1)], "an Established session resets the backoff")
    }

    @Test func aFailedConnectWaitsInActiveAndRetriesWithBackoff() {
        var machine = BGPSessionStateMachine(configuration: F.external())
        _ = machine.handle(.start)
        #expect(machine.handle(.tcpConnectionFailed) == [.armTimer(.connectRetry, .seconds(1))])
        #expect(machine.state == .active)
        #expect(machine.handle(.timerExpired(.connectRetry)) == [.connect])
        #expect(machine.state == .connect)
        #expect(machine.handle(.tcpConnectionFailed) == [.armTimer(.connectRetry, .seconds(2))])
        let incoming = machine.handle(.tcpConnectionConfirmed)
        #expect(incoming.first == .cancelTimer(.connectRetry), "the peer connecting to us while we wait is taken")
        #expect(machine.state == .openSent)
    }

    @Test func keepalivesFollowTheNegotiatedCadence() {
        var machine = BGPSessionStateMachine(configuration: F.external())
        F.establish(&machine, open: F.peerOpen(holdTime: 9))
        for _ in 0..<3 {
            #expect(
                machine.handle(.timerExpired(.keepalive)) == [.send(.keepalive), .armTimer(.keepalive, .seconds(3))])
        }
        #expect(machine.handle(.messageReceived(.keepalive)) == [.armTimer(.hold, .seconds(9))])
    }

    @Test func holdTimeZeroMeansNoKeepalivesAndNoHoldTimer() {
        var machine = BGPSessionStateMachine(configuration: F.external())
        _ = machine.handle(.start)
        _ = machine.handle(.tcpConnectionEstablished)
        let confirm = machine.handle(.messageReceived(.open(F.peerOpen(holdTime: 0))))
        #expect(confirm == [.send(.keepalive), .cancelTimer(.hold)])
        let established = machine.handle(.messageReceived(.keepalive))
        #expect(F.armed(.hold, in: established).isEmpty)
        #expect(machine.state.negotiated?.keepaliveInterval == 0)
        #expect(machine.handle(.timerExpired(.keepalive)) == [])
        #expect(machine.handle(.messageReceived(.keepalive)) == [])
    }

    @Test func messagesTheStateDoesNotAllowAreFiniteStateMachineErrors() {
        var openSent = BGPSessionStateMachine(configuration: F.external())
        _ = openSent.handle(.start)
        _ = openSent.handle(.tcpConnectionEstablished)
        #expect(
            F.notifications(openSent.handle(.messageReceived(.keepalive))) == [
                .finiteStateMachine(.unexpectedMessageInOpenSent)
            ])
        #expect(
            "\(BGPNotification.finiteStateMachine(.unexpectedMessageInOpenSent))"
                == "Finite State Machine Error / Receive Unexpected Message in OpenSent State (5/1)")
        #expect(openSent.state == .idle)

        var openConfirm = BGPSessionStateMachine(configuration: F.external())
        _ = openConfirm.handle(.start)
        _ = openConfirm.handle(.tcpConnectionEstablished)
        _ = openConfirm.handle(.messageReceived(.open(F.peerOpen())))
        let update = BGPReceivedMessage.update(.clean(BGPUpdate(withdrawn: [BGPPrefix("10.1.0.0/24")!])))
        #expect(
            F.notifications(openConfirm.handle(.messageReceived(update))) == [
                .finiteStateMachine(.unexpectedMessageInOpenConfirm)
            ])

        var established = BGPSessionStateMachine(configuration: F.external())
        F.establish(&established)
        #expect(
            F.notifications(established.handle(.messageReceived(.open(F.peerOpen()))))
                == [.finiteStateMachine(.unexpectedMessageInEstablished)])
        #expect(established.state == .idle)
    }

    @Test func updatesAreDeliveredAndRestartTheHoldTimer() {
        var machine = BGPSessionStateMachine(configuration: F.external())
        F.establish(&machine)
        let update = BGPUpdate(
            attributes: PathAttributes(origin: .igp, asPath: ASPath(sequence: [65001]), nextHop: F.peerAddress),
            announced: [BGPPrefix("10.1.0.0/24")!])
        #expect(
            machine.handle(.messageReceived(.update(.clean(update))))
                == [.armTimer(.hold, .seconds(30)), .deliverUpdate(update, problems: [])])
    }

    @Test func aTreatAsWithdrawOutcomeIsDeliveredAsItsWithdrawals() throws {
        // A real UPDATE whose ORIGIN has a bad value: RFC 7606 treats its routes as withdrawn.
        let body = WireBytes.updateBody(
            attributes: [WireBytes.attribute(0x40, 1, [7]), WireBytes.asPath4, WireBytes.nextHop], nlri: WireBytes.nlri)
        let received = try BGPMessage.decode(WireBytes.message(type: 2, body: body)[...], context: WireBytes.external4)
        guard case .update(let outcome) = received, case .treatAsWithdraw(let withdrawal, let problems) = outcome else {
            Issue.record("decoded \(received)")
            return
        }
        var machine = BGPSessionStateMachine(configuration: F.external())
        F.establish(&machine)
        let actions = machine.handle(.messageReceived(received))
        #expect(actions.contains(.deliverUpdate(withdrawal, problems: problems)))
        #expect(withdrawal.allWithdrawn == [BGPPrefix("10.1.0.0/24")!])
        #expect(machine.state.name == .established)
    }

    @Test func anUpdateThatResetsTheSessionSendsItsNotification() {
        var machine = BGPSessionStateMachine(configuration: F.external())
        F.establish(&machine)
        let error = BGPError(object: "UPDATE", problem: "test", notification: .update(.malformedAttributeList))
        let actions = machine.handle(.messageReceived(.update(.sessionReset(error))))
        #expect(F.notifications(actions) == [.update(.malformedAttributeList)])
        #expect(F.downs(actions).first?.0 == .errorSent(error))
        #expect(machine.state == .idle)
    }

    @Test func aDecodeErrorSendsItsNotificationAndCloses() {
        var machine = BGPSessionStateMachine(configuration: F.external())
        F.establish(&machine)
        let error = BGPError(object: "message", problem: "bad length", notification: .header(.badMessageLength))
        let actions = machine.handle(.decodeFailed(error))
        #expect(actions.prefix(2) == [.send(.notification(.header(.badMessageLength))), .closeConnection])
        #expect(machine.state == .idle)
    }

    @Test func endOfRIBIsReportedNotDelivered() {
        var machine = BGPSessionStateMachine(configuration: F.external())
        F.establish(&machine)
        #expect(machine.awaitingEndOfRIB == [.ipv4Unicast])
        let actions = machine.handle(.messageReceived(.update(.clean(.endOfRIB(.ipv4Unicast)))))
        #expect(actions == [.armTimer(.hold, .seconds(30)), .endOfRIBReceived(.ipv4Unicast)])
        #expect(machine.awaitingEndOfRIB.isEmpty)
    }

    @Test func routeRefreshIsPassedOnWhenNegotiated() {
        var machine = BGPSessionStateMachine(configuration: F.external())
        F.establish(&machine)
        let refresh = BGPRouteRefresh(afiSafi: .ipv4Unicast)
        #expect(machine.handle(.messageReceived(.routeRefresh(refresh))).last == .routeRefreshRequested(refresh))
    }

    @Test func stopSendsCeaseAndStaysDown() {
        var machine = BGPSessionStateMachine(configuration: F.external())
        F.establish(&machine, open: F.peerOpen(gracefulRestart: F.restart()))
        let actions = machine.handle(.stop(.administrativeShutdown))
        #expect(F.notifications(actions) == [.cease(.administrativeShutdown)])
        #expect(actions.contains(.closeConnection))
        #expect(F.downs(actions).first?.2 == [], "a stopped peer's routes go")
        #expect(F.armed(.idleHold, in: actions).isEmpty)
        #expect(machine.state == .idle)
        #expect(machine.handle(.timerExpired(.idleHold)) == [])
        #expect(machine.handle(.tcpConnectionConfirmed) == [.closeConnection], "Idle refuses connections")
    }

    @Test func aLostConnectionKeepsAGracefulPeersRoutesUntilItsEndOfRIB() {
        var machine = BGPSessionStateMachine(configuration: F.external())
        F.establish(&machine, open: F.peerOpen(gracefulRestart: F.restart(time: 90)))
        let down = machine.handle(.tcpConnectionFailed)
        #expect(F.downs(down).first?.0 == .connectionLost)
        #expect(F.downs(down).first?.2 == [.ipv4Unicast])
        #expect(F.armed(.gracefulRestart, in: down) == [.seconds(90)])
        #expect(machine.staleFamilies == [.ipv4Unicast])

        _ = machine.handle(.timerExpired(.idleHold))
        let session = F.establish(&machine, open: F.peerOpen(gracefulRestart: F.restart(time: 90)))
        #expect(session != nil)
        #expect(machine.staleFamilies == [.ipv4Unicast], "kept until the End-of-RIB")

        let endOfRIB = machine.handle(.messageReceived(.update(.clean(.endOfRIB(.ipv4Unicast)))))
        #expect(endOfRIB.contains(.endOfRIBReceived(.ipv4Unicast)))
        #expect(endOfRIB.contains(.cancelTimer(.stalePath)))
        #expect(machine.staleFamilies.isEmpty)
    }

    @Test func theReEstablishedSessionArmsTheStalePathTimerAndCancelsTheRestartTimer() {
        var machine = BGPSessionStateMachine(configuration: F.external())
        F.establish(&machine, open: F.peerOpen(gracefulRestart: F.restart()))
        _ = machine.handle(.tcpConnectionFailed)
        _ = machine.handle(.timerExpired(.idleHold))
        _ = machine.handle(.tcpConnectionEstablished)
        _ = machine.handle(.messageReceived(.open(F.peerOpen(gracefulRestart: F.restart()))))
        let actions = machine.handle(.messageReceived(.keepalive))
        #expect(actions.contains(.cancelTimer(.gracefulRestart)))
        #expect(F.armed(.stalePath, in: actions) == [.seconds(360)])
        #expect(machine.handle(.timerExpired(.stalePath)).last == .purgeStaleRoutes([.ipv4Unicast]))
        #expect(machine.staleFamilies.isEmpty)
    }

    @Test func aPeerBackWithoutForwardingStateHasItsStaleRoutesPurgedAtOnce() {
        var machine = BGPSessionStateMachine(configuration: F.external())
        F.establish(&machine, open: F.peerOpen(gracefulRestart: F.restart()))
        _ = machine.handle(.tcpConnectionFailed)
        _ = machine.handle(.timerExpired(.idleHold))
        _ = machine.handle(.tcpConnectionEstablished)
        _ = machine.handle(.messageReceived(.open(F.peerOpen(gracefulRestart: F.restart(forwardingPreserved: false)))))
        let actions = machine.handle(.messageReceived(.keepalive))
        #expect(actions.contains(.purgeStaleRoutes([.ipv4Unicast])))
        #expect(F.armed(.stalePath, in: actions).isEmpty)
        #expect(machine.staleFamilies.isEmpty)
    }

    @Test func theRestartTimerRunningOutPurgesTheStaleRoutes() {
        var machine = BGPSessionStateMachine(configuration: F.external())
        F.establish(&machine, open: F.peerOpen(gracefulRestart: F.restart()))
        _ = machine.handle(.tcpConnectionFailed)
        #expect(machine.handle(.timerExpired(.gracefulRestart)).last == .purgeStaleRoutes([.ipv4Unicast]))
        #expect(machine.staleFamilies.isEmpty)
        #expect(machine.handle(.timerExpired(.gracefulRestart)) == [], "only once")
    }

    @Test func aPeerWithoutGracefulRestartLosesItsRoutesWithTheConnection() {
        var machine = BGPSessionStateMachine(configuration: F.external())
        F.establish(&machine)
        let actions = machine.handle(.tcpConnectionFailed)
        #expect(F.downs(actions).first?.2 == [])
        #expect(F.armed(.gracefulRestart, in: actions).isEmpty)
        #expect(machine.staleFamilies.isEmpty)
    }
}
