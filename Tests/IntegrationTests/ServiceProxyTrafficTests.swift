import Foundation
import Netlink
import ServiceProxy
import TestSupport
import Testing

/// The service proxy with real traffic through a real IPVS, in User-Mode Linux guests.
///
/// The host kernel has no IPVS, so each test is split: on the host it boots a guest that runs
/// this bundle filtered to the test, and in the guest it does the work. Each boot costs seconds,
/// so each test groups several checks.
@Suite struct ServiceProxyTrafficTests {
    static let modules = ["ip_vs", "ip_vs_rr", "ip_vs_wlc", "veth", "dummy"]

    /// Checks 1 and 2: round-robin spread over ClusterIP (TCP and UDP) and NodePort, then ClientIP affinity.
    @Test(
        .enabled(
            if: UserModeLinux.isAvailable || UserModeLinux.isGuest,
            "User-Mode Linux needs root and the user-mode-linux package"))
    func clusterIPAndNodePortSpreadThenAffinity() async throws {
        guard UserModeLinux.isGuest else {
            let result = try await UserModeLinux.runTestInGuest(
                "ServiceProxyTrafficTests/clusterIPAndNodePortSpreadThenAffinity", modules: Self.modules)
            #expect(result.passed, "\(TrafficLab.explain(result))")
            return
        }
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
        let drainedServer = await reconciler.ownedServices[TrafficLab.key(.tcp, TrafficLab.clusterTCP)]?.realServers
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
    @Test(
        .enabled(
            if: UserModeLinux.isAvailable || UserModeLinux.isGuest,
            "User-Mode Linux needs root and the user-mode-linux package"))
    func sigkillRestartLosesNoConnection() async throws {
        guard UserModeLinux.isGuest else {
            let result = try await UserModeLinux.runTestInGuest(
                "ServiceProxyTrafficTests/sigkillRestartLosesNoConnection", modules: Self.modules)
            #expect(result.passed, "\(TrafficLab.explain(result))")
            return
        }
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
    @Test(
        .enabled(
            if: UserModeLinux.isAvailable || UserModeLinux.isGuest,
            "User-Mode Linux needs root and the user-mode-linux package"))
    func drainingThenRestartWithoutRewrites() async throws {
        guard UserModeLinux.isGuest else {
            let result = try await UserModeLinux.runTestInGuest(
                "ServiceProxyTrafficTests/drainingThenRestartWithoutRewrites", modules: Self.modules)
            #expect(result.passed, "\(TrafficLab.explain(result))")
            return
        }
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
        let drained = await reconciler.ownedServices[clusterKey]?.realServers.first {
            $0.server.address == holderAddress
        }
        #expect(drained?.server.weight == 0, "the holder stays, at weight 0\n\(lab.diagnostics())")
        #expect(drained.map { $0.activeConnections >= 1 } == true, "\(lab.diagnostics())")
        // Without connections of its own, the holder's other real servers go at once.
        let nodePortServers = await reconciler.ownedServices[nodePortKey]?.realServers.map(\.server.address)
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
            let servers = await reconciler.ownedServices[clusterKey]?.realServers ?? []
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
        #expect(await Set(restarted.ownedServices.keys).count == 3)
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

/// The guest's network, servers and ownership record for one test, and checks that read the kernel.
///
/// The guest's root namespace is the node:
///
///     client 10.201.0.2 ── 10.201.0.1 node 10.200.1.1 ── 10.200.1.2 be1
///                                         10.200.2.1 ── 10.200.2.2 be2
///
/// Each backend runs a TCP server on 8080 and a UDP server on 5353 that answer with the
/// backend's name, so the client counts which backend served each connection.
private final class TrafficLab {

    /// Backend namespace name to address.
    static let backends = ["be1": "10.200.1.2", "be2": "10.200.2.2"]
    static let webName = ServiceName(namespace: "default", name: "web")
    static let clusterTCP = SocketEndpoint("10.96.0.10", port: 80)
    static let clusterUDP = SocketEndpoint("10.96.0.10", port: 53)
    static let nodePortTCP = SocketEndpoint("10.201.0.1", port: 30080)
    /// Masquerade is off: these backends route back through the node, and the rules have their
    /// own test (MasqueradeTrafficTests) with the netfilter modules this guest does not load.
    static let settings = ProxySettings(nodeAddresses: [IPAddress("10.201.0.1")!], masquerade: false)

    /// The Service under test: TCP 80 → 8080 with NodePort 30080, UDP 53 → 5353.
    static func web(endpoints: [String: String], affinity: ProxiedService.Affinity = .none) -> ProxiedService {
        ProxiedService(
            name: webName, clusterIPs: [IPAddress(clusterTCP.address)!],
            ports: [
                ServicePort(name: "http", transport: .tcp, port: 80, nodePort: 30080, targetPort: 8080),
                ServicePort(name: "dns", transport: .udp, port: 53, targetPort: 5353),
            ],
            affinity: affinity,
            endpoints: endpoints.values.sorted().map { ServiceEndpoint(address: IPAddress($0)!) })
    }

    static func key(_ transport: IPVSProtocol, _ endpoint: SocketEndpoint) -> IPVSServiceKey {
        .address(transport, IPAddress(endpoint.address)!, port: endpoint.port)
    }

    static func address(of backend: String) -> IPAddress? {
        backends[backend].flatMap { IPAddress($0) }
    }

    /// The guest's exit, the counts, and the whole guest output: a failing guest check's message
    /// may sit far above the output's last lines.
    static func explain(_ result: GuestTestResult) -> String {
        result.passed ? "" : "\(result)\n--- whole guest output ---\n\(result.guest.output)"
    }

    let client = NetworkNamespace.named("client")
    let record: OwnershipRecord
    private let recordDirectory: String
    private var namespaces: [String] = []
    private var tcpServers: [TCPNameServer] = []
    private var udpServers: [UDPNameServer] = []
    private var nextUDPPort: UInt16 = 41_000

    /// Builds the network and starts the servers; everything lives in the guest and dies with it,
    /// but `tearDown` removes it anyway.
    init() throws {
        // The guest's /run is a private tmpfs: the record never reaches the host's disk.
        recordDirectory = "/run/rudder-traffic-\(UInt32.random(in: .min ... .max))"
        record = OwnershipRecord(path: recordDirectory + "/ipvs-services")
        do {
            try Shell.check("sysctl", ["-w", "net.ipv4.ip_forward=1"])
            for (name, address) in Self.backends.sorted(by: { $0.key < $1.key }) {
                let subnet = address.split(separator: ".").dropLast().joined(separator: ".")
                try join(name, nodeSide: "\(subnet).1", peerSide: address)
                let namespace = NetworkNamespace.named(name)
                tcpServers.append(
                    try TCPNameServer(name: name, endpoint: SocketEndpoint(address, port: 8080), namespace: namespace))
                udpServers.append(
                    try UDPNameServer(name: name, endpoint: SocketEndpoint(address, port: 5353), namespace: namespace))
            }
            try join("client", nodeSide: "10.201.0.1", peerSide: "10.201.0.2")
        } catch {
            tearDown()
            throw error
        }
    }

    /// Creates namespace `name` joined to the node by a veth pair in a /24, with its default route via the node.
    private func join(_ name: String, nodeSide: String, peerSide: String) throws {
        try Shell.check("ip", ["netns", "add", name])
        namespaces.append(name)
        let nodeLink = "v-\(name)"
        try Shell.check("ip", ["link", "add", nodeLink, "type", "veth", "peer", "name", "eth0", "netns", name])
        try Shell.check("ip", ["address", "add", "\(nodeSide)/24", "dev", nodeLink])
        try Shell.check("ip", ["link", "set", nodeLink, "up"])
        try Shell.check("ip", ["-n", name, "link", "set", "lo", "up"])
        try Shell.check("ip", ["-n", name, "address", "add", "\(peerSide)/24", "dev", "eth0"])
        try Shell.check("ip", ["-n", name, "link", "set", "eth0", "up"])
        // IPVS NAT rewrites the replies only if they come back through the node.
        try Shell.check("ip", ["-n", name, "route", "add", "default", "via", nodeSide])
    }

    func tearDown() {
        for server in tcpServers { server.stop() }
        for server in udpServers { server.stop() }
        tcpServers = []
        udpServers = []
        for name in namespaces.reversed() { _ = try? Shell.run("ip", ["netns", "delete", name]) }
        namespaces = []
        try? FileManager.default.removeItem(atPath: recordDirectory)
    }

    /// Runs `connect` ten times and counts the backend names it returns.
    func spread(_ connect: (Int) throws -> String) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for index in 0..<10 { counts[try withDiagnostics { try connect(index) }, default: 0] += 1 }
        return counts
    }

    /// Runs `body`; an error it throws comes back with the kernel's state attached, since a
    /// timeout alone does not say where the packets went.
    func withDiagnostics<Result>(_ body: () throws -> Result) throws -> Result {
        do {
            return try body()
        } catch {
            throw TrafficError(operation: "\(error)\n\(diagnostics())")
        }
    }

    /// Which backend answers a UDP datagram sent from a client port not used before in this guest.
    func udpBackend(to endpoint: SocketEndpoint, message: String) throws -> String {
        nextUDPPort += 1
        let reply = try UDPExchange.send(message, to: endpoint, from: client, localPort: nextUDPPort)
        let words = reply.split(separator: " ", maxSplits: 1).map(String.init)
        guard words.count == 2, words[1] == message else {
            throw TrafficError(operation: "UDP reply \(reply.debugDescription) to \(message.debugDescription)")
        }
        return words[0]
    }

    /// The backend that greets one new connection from the client to `endpoint`.
    func greeting(to endpoint: SocketEndpoint = clusterTCP) throws -> String {
        try TCPConnection.greeting(from: client, to: endpoint)
    }

    @discardableResult
    func ipvsadm(_ arguments: String...) throws -> String {
        try Shell.check("ipvsadm", arguments)
    }

    /// `ipvsadm -Sn` lines of the hand-made service.
    func foreignServiceLines() throws -> [String] {
        try ipvsadm("-Sn").split(separator: "\n").map(String.init).filter { $0.contains("10.96.9.9:80") }
    }

    /// The real server lines ("10.200.1.2:8080 Masq 0 1 0") under `service` ("TCP  10.96.0.10:80") in `ipvsadm -Ln`.
    func realServers(of service: String) throws -> [String] {
        var lines: [String] = []
        var inside = false
        for line in try ipvsadm("-Ln").split(separator: "\n") {
            if line.hasPrefix("  -> ") {
                if inside, !line.contains("RemoteAddress") {
                    lines.append(line.dropFirst(5).split(separator: " ").joined(separator: " "))
                }
            } else {
                inside = line.hasPrefix(service + " ")
            }
        }
        return lines
    }

    /// The addresses on the dummy link, without the kernel's link-local one.
    func dummyAddresses() throws -> [String] {
        let shown = try Shell.check("ip", ["-o", "address", "show", "dev", ProxySettings.defaultDummyInterface])
        return shown.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard let index = fields.firstIndex(where: { $0 == "inet" || $0 == "inet6" }), index + 1 < fields.count
            else { return nil }
            let address = String(fields[index + 1])
            return address.hasPrefix("fe80:") ? nil : address
        }
    }

    /// What a failed check needs to be understood: IPVS services, connections and the VIPs.
    func diagnostics() -> String {
        func output(_ command: String, _ arguments: [String]) -> String {
            guard let result = try? Shell.run(command, arguments) else { return "cannot run \(command)" }
            return "$ \(([command] + arguments).joined(separator: " "))\n\(result.stdout)\(result.stderr)"
        }
        return [
            output("ipvsadm", ["-Ln"]), output("ipvsadm", ["-Lnc"]),
            output("ip", ["address", "show", ProxySettings.defaultDummyInterface]),
        ].joined(separator: "\n")
    }
}

/// A `rudder` process started in the guest, its output going to a file.
private final class RudderProcess {
    let process = Process()
    let outputPath: String

    init(arguments: [String], output: String) throws {
        outputPath = output
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        _ = FileManager.default.createFile(atPath: output + ".err", contents: nil)
        process.executableURL = URL(fileURLWithPath: RudderCommandTests.rudder)
        process.arguments = arguments
        process.standardOutput = FileHandle(forWritingAtPath: output)
        process.standardError = FileHandle(forWritingAtPath: output + ".err")
        try process.run()
    }

    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    /// Polls the output for `text` for up to 30 s.
    func waitForOutput(_ text: String) throws {
        for _ in 0..<300 where !output.contains(text) {
            guard process.isRunning else { break }
            usleep(100_000)
        }
        guard output.contains(text) else {
            let errors = (try? String(contentsOfFile: outputPath + ".err", encoding: .utf8)) ?? ""
            throw TrafficError(operation: "rudder never printed \(text.debugDescription): \(output) \(errors)")
        }
    }

    func kill(_ signal: Int32) {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, signal)
        process.waitUntilExit()
    }
}

/// A client that connects to the ClusterIP again and again on its own thread until stopped.
private final class ConnectionLoop: @unchecked Sendable {
    private let lock = NSLock()
    private var successCount = 0
    private var failureList: [String] = []
    private var running = true
    private let finished = DispatchSemaphore(value: 0)

    init(lab: TrafficLab) {
        let client = lab.client
        Thread.detachNewThread { [self] in
            while lock.withLock({ running }) {
                do {
                    _ = try TCPConnection.greeting(from: client, to: TrafficLab.clusterTCP)
                    lock.withLock { successCount += 1 }
                } catch {
                    lock.withLock { failureList.append("\(error)") }
                }
                usleep(20_000)
            }
            finished.signal()
        }
    }

    var successes: Int { lock.withLock { successCount } }

    /// Waits (up to 30 s) until `count` connections have succeeded.
    func waitForSuccesses(_ count: Int) throws {
        for _ in 0..<300 where successes < count { usleep(100_000) }
        guard successes >= count else {
            throw TrafficError(operation: "only \(successes) connections succeeded: \(lock.withLock { failureList })")
        }
    }

    /// Stops the loop and returns what it saw.
    func stop() -> (successes: Int, failures: [String]) {
        lock.withLock { running = false }
        finished.wait()
        return lock.withLock { (successCount, failureList) }
    }
}
