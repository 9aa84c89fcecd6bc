import Addresses
import Foundation
import GuestTesting
import IPVS
import RudderLab
import ServiceProxy
import Testing

/// The service proxy with real traffic through a real IPVS, in User-Mode Linux guests.
///
/// The host kernel has no IPVS, so each test is split: on the host it boots a guest that runs
/// this bundle filtered to the test, and in the guest it does the work. Each boot costs seconds,
/// so each test groups several checks.
@Suite struct ServiceProxyTrafficTests {
    static let modules = ["ip_vs", "ip_vs_rr", "ip_vs_wlc", "veth", "dummy"]

    /// Checks 1 and 2: round-robin spread over ClusterIP (TCP and UDP) and NodePort, then ClientIP affinity.
    @Test(.userModeLinux, .inGuest(modules: Self.modules))
    func clusterIPAndNodePortSpreadThenAffinity() async throws {
        let lab = try TrafficLab()
        defer { lab.tearDown() }
        let reconciler = ServiceProxyReconciler(
            kernel: try NetlinkServiceKernel(), settings: TrafficLab.settings, record: lab.record)

        let first = try await reconciler.replaceAll([TrafficLab.web(endpoints: TrafficLab.backends)])
        #expect(first.failures.isEmpty && first.conflicts.isEmpty && first.rejected.isEmpty, "\(first.failures)")
        // Three virtual services (TCP ClusterIP, UDP ClusterIP, TCP NodePort), two real servers each.
        #expect(first.applied.count == 9, "\(first.applied)")
        #expect(try lab.dummyAddresses() == ["10.96.0.10/32"], "the ClusterIP is a local address\n\(lab.diagnostics())")

        // 1. Round robin: ten new connections give each backend exactly five.
        let even = ["be1": 5, "be2": 5]
        let tcpSpread = try lab.spread { _ in try lab.greeting() }
        #expect(tcpSpread == even, "TCP ClusterIP \(TrafficLab.clusterTCP)\n\(lab.diagnostics())")
        let udpSpread = try lab.spread { index in try lab.udpBackend(to: TrafficLab.clusterUDP, message: "q\(index)") }
        #expect(udpSpread == even, "UDP ClusterIP \(TrafficLab.clusterUDP)\n\(lab.diagnostics())")
        let nodePortSpread = try lab.spread { _ in try lab.greeting(to: TrafficLab.nodePortTCP) }
        #expect(nodePortSpread == even, "TCP NodePort \(TrafficLab.nodePortTCP)\n\(lab.diagnostics())")

        // 2. ClientIP affinity is IPVS persistence: every connection from the client sticks to one backend.
        let sticky = try await reconciler.update(
            TrafficLab.web(endpoints: TrafficLab.backends, affinity: .clientIP(timeoutSeconds: 600)))
        #expect(sticky.failures.isEmpty, "\(sticky.failures)")
        #expect(sticky.applied.count == 3, "only the three services change: \(sticky.applied)")
        #expect(
            sticky.applied.allSatisfy { if case .updateService = $0 { true } else { false } }, "\(sticky.applied)")
        let listing = try lab.ipvsadm("-Ln")
        #expect(listing.components(separatedBy: "persistent 600").count - 1 == 3, "\(lab.diagnostics())")
        for (label, connect) in [
            ("TCP ClusterIP", { try lab.greeting() }),
            ("TCP NodePort", { try lab.greeting(to: TrafficLab.nodePortTCP) }),
        ] as [(String, () throws -> String)] {
            let spread = try lab.spread { _ in try connect() }
            #expect(spread.count == 1 && spread.values.first == 10, "\(label) \(spread)\n\(lab.diagnostics())")
        }
        let udpSticky = try lab.spread { index in try lab.udpBackend(to: TrafficLab.clusterUDP, message: "s\(index)") }
        #expect(udpSticky.count == 1 && udpSticky.values.first == 10, "UDP \(udpSticky)\n\(lab.diagnostics())")

        // Removing the sticky backend drains it (its closed connections still sit in TIME_WAIT).
        let sticker = try lab.withDiagnostics { try lab.greeting() }
        let other = try #require(TrafficLab.backends.first { $0.key != sticker })
        let drain = try await reconciler.update(
            TrafficLab.web(endpoints: [other.key: other.value], affinity: .clientIP(timeoutSeconds: 600)))
        #expect(drain.failures.isEmpty, "\(drain.failures)")
        let drainedServer = try await reconciler.ownedServices()[TrafficLab.key(.tcp, TrafficLab.clusterTCP)]?
            .realServers
            .first { $0.server.address == TrafficLab.address(of: sticker) }
        #expect(drainedServer?.server.weight == 0, "the sticky backend drains\n\(lab.diagnostics())")
        // With expire_quiescent_template set (as the kernel adapter does), the client's persistence
        // template stops sending new connections to the weight-0 backend.
        let afterDrain = try lab.spread { _ in try lab.greeting() }
        #expect(afterDrain == [other.key: 10], "sticky client after its backend drained\n\(lab.diagnostics())")
    }

    /// Restart without loss: a client keeps connecting through the ClusterIP while the `rudder`
    /// process that programmed it is killed with SIGKILL and started again. Every connection
    /// succeeds, and the restarted process reports zero IPVS operations.
    @Test(.userModeLinux, .inGuest(modules: Self.modules))
    func sigkillRestartLosesNoConnection() async throws {
        let lab = try TrafficLab()
        defer { lab.tearDown() }
        try Shell.check("ip", ["address", "add", "10.201.0.1/32", "dev", "lo"])
        let file = "/run/rudder-restart-services.yaml"
        try """
        node:
          addresses: [10.201.0.1]
          masquerade: false
        services:
          - name: default/web
            clusterIPs: [10.96.0.10]
            ports: [{name: http, port: 80, targetPort: 8080}]
            endpoints: [{address: 10.200.1.2}, {address: 10.200.2.2}]
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let arguments = ["proxy", "apply", "--file", file, "--record", lab.record.path!, "--watch"]
        let first = try RudderProcess(arguments: arguments, output: "/run/rudder-first.out")
        try first.waitForOutput("applied 3 IPVS operations")

        let client = ConnectionLoop(lab: lab)
        try client.waitForSuccesses(20)
        first.kill(SIGKILL)
        let during = client.successes
        let second = try RudderProcess(arguments: arguments, output: "/run/rudder-second.out")
        defer { second.kill(SIGTERM) }
        try second.waitForOutput("applied")
        try client.waitForSuccesses(during + 20)
        let summary = client.stop()

        #expect(summary.failures.isEmpty, "connections failed across the restart: \(summary.failures)")
        #expect(summary.successes >= during + 20)
        #expect(second.output.contains("applied 0 IPVS operations"), "\(second.output)")
    }

    /// Checks 3 and 4: a removed endpoint drains while it holds a connection, and a restarted
    /// reconciler adopts everything without a single IPVS write and leaves a foreign service alone.
    @Test(.userModeLinux, .inGuest(modules: Self.modules))
    func drainingThenRestartWithoutRewrites() async throws {
        let lab = try TrafficLab()
        defer { lab.tearDown() }
        // Made by hand before Rudder starts, so Rudder must never own or change it.
        try lab.ipvsadm("-A", "-t", "10.96.9.9:80", "-s", "wlc")
        let foreignBefore = try lab.foreignServiceLines()
        #expect(!foreignBefore.isEmpty)

        // A grace period far beyond the test: only the end of the held connection may remove its backend.
        let kernel = try NetlinkServiceKernel()
        let reconciler = ServiceProxyReconciler(
            kernel: kernel, settings: TrafficLab.settings, record: lab.record, gracePeriod: .seconds(3600))
        let first = try await reconciler.replaceAll([TrafficLab.web(endpoints: TrafficLab.backends)])
        #expect(first.failures.isEmpty && first.conflicts.isEmpty && first.applied.count == 9, "\(first)")

        // 3. Graceful removal. The first connection of this guest is the only one its backend ever gets.
        let held = try lab.withDiagnostics { try TCPConnection(to: TrafficLab.clusterTCP, from: lab.client) }
        defer { held.close() }
        let holder = try lab.withDiagnostics { try held.readLine() }
        let holderAddress = try #require(TrafficLab.address(of: holder), "greeting \(holder)")
        let remaining = try #require(TrafficLab.backends.first { $0.key != holder })
        #expect(try lab.withDiagnostics { try held.exchange("before") } == "\(holder) before")

        let removal = try await reconciler.update(TrafficLab.web(endpoints: [remaining.key: remaining.value]))
        #expect(removal.failures.isEmpty, "\(removal.failures)")
        let clusterKey = TrafficLab.key(.tcp, TrafficLab.clusterTCP)
        let nodePortKey = TrafficLab.key(.tcp, TrafficLab.nodePortTCP)
        let drained = try await reconciler.ownedServices()[clusterKey]?.realServers.first {
            $0.server.address == holderAddress
        }
        #expect(drained?.server.weight == 0, "the holder stays, at weight 0\n\(lab.diagnostics())")
        #expect(drained.map { $0.activeConnections >= 1 } == true, "\(lab.diagnostics())")
        // Without connections of its own, the holder's other real servers go at once.
        let nodePortServers = try await reconciler.ownedServices()[nodePortKey]?.realServers.map(\.server.address)
        #expect(nodePortServers == [IPAddress(remaining.value)!], "\(lab.diagnostics())")

        let afterRemoval = try lab.spread { _ in try lab.greeting() }
        #expect(afterRemoval == [remaining.key: 10], "new connections avoid the drained backend\n\(lab.diagnostics())")
        #expect(
            try lab.withDiagnostics { try held.exchange("after") } == "\(holder) after",
            "the held connection still works")

        let early = try await reconciler.collectDrained()
        #expect(early.applied.isEmpty, "a real server with a live connection stays: \(early.applied)")
        #expect(try lab.realServers(of: "TCP  10.96.0.10:80").contains { $0.hasPrefix("\(holderAddress):8080") })

        held.reset()
        // The reset entry expires in IPVS after its CLOSE timeout (10 s); poll, bounded, until then.
        var collected: [IPVSOperation] = []
        for _ in 0..<120 {
            collected += try await reconciler.collectDrained().applied
            let servers = try await reconciler.ownedServices()[clusterKey]?.realServers ?? []
            if !servers.contains(where: { $0.server.address == holderAddress }) { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        let deletion = IPVSOperation.deleteRealServer(clusterKey, address: holderAddress, port: 8080)
        #expect(collected == [deletion], "\(lab.diagnostics())")
        let clusterServers = try lab.realServers(of: "TCP  10.96.0.10:80")
        #expect(
            clusterServers.count == 1 && clusterServers.first?.hasPrefix("\(remaining.value):8080") == true,
            "\(lab.diagnostics())")

        // 4. Restart: a new kernel adapter and reconciler on the same record adopt everything.
        let restartedKernel = try NetlinkServiceKernel()
        let restarted = ServiceProxyReconciler(
            kernel: restartedKernel, settings: TrafficLab.settings, record: lab.record)
        let again = try await restarted.replaceAll([TrafficLab.web(endpoints: [remaining.key: remaining.value])])
        #expect(again.applied.isEmpty, "\(again.applied)")
        #expect(again.failures.isEmpty && again.conflicts.isEmpty, "\(again)")
        #expect(restartedKernel.ipvsWritesSent == 0)
        #expect(try await Set(restarted.ownedServices().keys).count == 3)
        #expect(try lab.foreignServiceLines() == foreignBefore, "\(lab.diagnostics())")
        #expect(try lab.withDiagnostics { try lab.greeting() } == remaining.key, "traffic flows after the restart")
        let recorded = try String(contentsOfFile: lab.record.path!, encoding: .utf8)
        #expect(!recorded.contains("10.96.9.9"), "the foreign service is never recorded: \(recorded)")

        // Adopted means owned: the restarted reconciler removes the Service, and only it.
        let removed = try await restarted.remove(TrafficLab.webName)
        #expect(removed.applied.count == 3 && removed.failures.isEmpty, "\(removed)")
        #expect(
            try lab.ipvsadm("-Sn").split(separator: "\n").map(String.init) == foreignBefore, "\(lab.diagnostics())")
        #expect(try lab.dummyAddresses().isEmpty, "the VIP is unbound\n\(lab.diagnostics())")
    }
}
