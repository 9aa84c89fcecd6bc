import Testing

@testable import BGP

/// The state machine's actions carried out on a Loc-RIB and an Adj-RIB-Out, the way the speaker's
/// driver will: proof that the two halves fit together.
@Suite struct SessionAndRIBTests {
    typealias F = SessionFixtures

    /// A driver reduced to what touches the RIB.
    struct Driver {
        var machine: BGPSessionStateMachine
        var rib = RIBFixtures.rib()
        var sent: [BGPMessage] = []
        var changes: [LocRIBChange] = []

        mutating func handle(_ event: BGPSessionEvent) {
            let address = machine.configuration.peerAddress
            for action in machine.handle(event) {
                switch action {
                case .send(let message): sent.append(message)
                case .sessionEstablished(let session): rib.peerUp(machine.configuration, session: session)
                case .deliverUpdate(let update, _): changes += rib.apply(update, from: address).changes
                case .sessionDown(_, _, let retained): changes += rib.peerDown(address, retainedFamilies: retained)
                case .endOfRIBReceived(let family): changes += rib.purgeStale(address, families: [family])
                case .purgeStaleRoutes(let families): changes += rib.purgeStale(address, families: families)
                default: break
                }
            }
        }

        mutating func receive(_ update: BGPUpdate) {
            handle(.messageReceived(.update(.clean(update))))
        }
    }

    static let attributes = PathAttributes(
        origin: .igp, asPath: ASPath(sequence: [65001]), nextHop: BGPAddress("10.0.0.2")!)
    static let a = BGPPrefix("10.244.1.0/24")!
    static let b = BGPPrefix("10.244.2.0/24")!

    @Test func aGracefulRestartKeepsForwardingUntilEndOfRIBThenDropsWhatWasNotResent() {
        var driver = Driver(machine: BGPSessionStateMachine(configuration: F.external()))
        driver.handle(.start)
        driver.handle(.tcpConnectionEstablished)
        driver.handle(.messageReceived(.open(F.peerOpen(gracefulRestart: F.restart()))))
        driver.handle(.messageReceived(.keepalive))
        driver.receive(BGPUpdate(attributes: Self.attributes, announced: [Self.a, Self.b]))
        #expect(driver.rib.prefixCount == 2)

        driver.changes = []
        driver.handle(.tcpConnectionFailed)
        #expect(driver.changes.isEmpty, "the routes stay in the kernel while the peer restarts")
        #expect(driver.rib.bestRoutes.allSatisfy { $0.stale })

        driver.handle(.timerExpired(.idleHold))
        driver.handle(.tcpConnectionEstablished)
        driver.handle(.messageReceived(.open(F.peerOpen(gracefulRestart: F.restart()))))
        driver.handle(.messageReceived(.keepalive))
        driver.receive(BGPUpdate(attributes: Self.attributes, announced: [Self.a]))
        #expect(driver.changes.isEmpty)
        driver.receive(.endOfRIB(.ipv4Unicast))
        #expect(driver.changes == [.withdrawn(Self.b)])
        #expect(driver.rib.best(for: Self.a)?.stale == false)
    }

    @Test func aNotificationWithdrawsEverythingAtOnce() {
        var driver = Driver(machine: BGPSessionStateMachine(configuration: F.external()))
        driver.handle(.start)
        driver.handle(.tcpConnectionEstablished)
        driver.handle(.messageReceived(.open(F.peerOpen(gracefulRestart: F.restart()))))
        driver.handle(.messageReceived(.keepalive))
        driver.receive(BGPUpdate(attributes: Self.attributes, announced: [Self.a, Self.b]))
        driver.changes = []
        driver.handle(.messageReceived(.notification(.cease(.administrativeShutdown))))
        #expect(Set(driver.changes) == [.withdrawn(Self.a), .withdrawn(Self.b)])
        #expect(driver.rib.prefixCount == 0)
    }

    @Test func anExternalPeerWithoutAnImportPolicyGivesNothing() {
        var configuration = F.external()
        configuration.importPolicy = nil
        var driver = Driver(machine: BGPSessionStateMachine(configuration: configuration))
        driver.handle(.start)
        driver.handle(.tcpConnectionEstablished)
        driver.handle(.messageReceived(.open(F.peerOpen())))
        driver.handle(.messageReceived(.keepalive))
        driver.receive(BGPUpdate(attributes: Self.attributes, announced: [Self.a]))
        #expect(driver.rib.prefixCount == 0)
        #expect(driver.changes.isEmpty)
    }
}
