import Addresses
import Agent
import ArgumentParser
import Foundation
import IPVS
import Logging
import PodRouting
import RudderLab
import ServiceLifecycle
import ServiceProxy

#if canImport(Glibc)
    import Glibc
#endif

/// `rudder run` against the test API server holding N Services × M endpoints, inside a User-Mode
/// Linux guest: time from start to ready, resident memory, and the event-to-kernel latency of one
/// EndpointSlice change; the reference is `ipvsadm -R` programming the same IPVS state.
struct AgentBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "rudder run following the test API server, in a User-Mode Linux guest, vs `ipvsadm -R`.")

    @Option(help: "How many Services (ClusterIPs 10.96.x.y:80).") var services = 10_000
    @Option(help: "How many endpoints per Service (10.244.x.y:8080).") var endpoints = 10
    @Option(help: "How many single EndpointSlice changes to time.") var changes = 100
    @Flag(help: "Print the agent's log (level info) after the run.") var showLog = false
    @Flag(help: "Skip the ipvsadm -R reference (no ratio): for looking into the agent alone.") var noReference = false
    @Flag(
        help: """
            On this host, with in-memory kernels, in this process: the agent's own work (LIST, decode, \
            translate, plan) without the kernel's, which the guest's slow system calls inflate. No ratio.
            """)
    var inMemoryKernel = false
    @Flag(help: .hidden) var inGuest = false

    /// The agent's HTTP port in the guest.
    static let httpPort = 20_245

    func validate() throws {
        try IPVSWorkload.validate(services: services, endpoints: endpoints)
        guard (1...10_000).contains(changes) else { throw ValidationError("--changes must be 1...10000") }
    }

    func run() async throws {
        if inMemoryKernel { return try await measureInMemory() }
        guard inGuest else {
            let objects = Int64(services * (endpoints + 1))
            let limit = 900 + objects * 2 * 6 / 1_000
            let arguments =
                [
                    "agent", "--services", "\(services)", "--endpoints", "\(endpoints)", "--changes", "\(changes)",
                ] + (showLog ? ["--show-log"] : []) + (noReference ? ["--no-reference"] : [])
            return try await GuestBenchmark.run(
                arguments, modules: IPVSWorkload.modules + ["veth"], timeout: .seconds(limit))
        }
        try GuestBenchmark.requireGuest()
        try await measure()
    }

    private func measure() async throws {
        GuestBenchmark.say(GuestBenchmark.describeGuest())
        let rudder = try Self.rudderExecutable()
        let ipvsadm = try GuestBenchmark.tool("ipvsadm", package: "ipvsadm")
        let workload = IPVSWorkload(services: services, endpoints: endpoints)
        let scratch = try GuestBenchmark.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try Shell.check("ip", ["link", "set", "lo", "up"])

        // The API server on the guest's loopback, loaded before anything is timed.
        let server = TestAPIServer(directory: scratch + "/apiserver", bookmarkInterval: 1, stateFile: false)
        try server.start()
        defer { server.stop() }
        try server.writeKubeconfig(to: scratch + "/kubeconfig", user: .tokenFile)
        let clock = ContinuousClock()
        let loadStart = clock.now
        var objects = [TestAPIServer.nodeJSON(name: "node-a", podCIDR: "10.243.0.0/24", internalIP: "192.0.2.1")]
        objects.reserveCapacity(2 * services + 1)
        for index in 0..<services {
            objects.append(Self.serviceJSON(index))
            objects.append(Self.sliceJSON(index, addresses: workload.endpointAddresses(service: index)))
        }
        try server.load(objects)
        objects = []
        GuestBenchmark.say(
            "test API server: \(services) Services + \(services) EndpointSlices loaded in "
                + GuestBenchmark.format(clock.now - loadStart) + " (not timed below)")

        let rules = workload.rules()
        let rulesFile = scratch + "/rules"
        try (rules.joined(separator: "\n") + "\n").write(toFile: rulesFile, atomically: false, encoding: .utf8)
        let expected = Set(rules)

        // Reference: the same IPVS state from empty with ipvsadm -R.
        var reference: Duration?
        if !noReference {
            reference = try await IPVSWorkload.inFreshNamespace { fixture in
                let namespace = fixture.namespace
                let elapsed = try namespace.run {
                    try GuestBenchmark.timed([ipvsadm, "-R"], input: rulesFile, scratch: scratch)
                }
                try GuestBenchmark.expectRules(expected, in: fixture, after: "ipvsadm -R")
                return elapsed
            }
        }
        if let reference {
            GuestBenchmark.say(
                "reference (ipvsadm -R of the same \(workload.objectCount) IPVS objects): "
                    + GuestBenchmark.format(reference))
        }

        // Rudder: the agent process, its kernel work in a fresh namespace.
        let outcome = try await IPVSWorkload.inFreshNamespace { fixture in
            try await measureAgent(
                rudder: rudder, fixture: fixture, workload: workload, scratch: scratch, server: server)
        }
        GuestBenchmark.say(
            "agent: \(services) Services × \(endpoints) endpoints listed, translated and programmed "
                + "(IPVS, VIPs, masquerade sets)")
        GuestBenchmark.say(
            "agent: start to ready \(GuestBenchmark.format(outcome.ready)) (goal < 5 s: "
                + "\(outcome.ready < .seconds(5) ? "met" : "MISSED")), resident memory at ready "
                + "\(outcome.residentMiB) MiB (goal < 100 MiB: \(outcome.residentMiB < 100 ? "met" : "MISSED")), "
                + "peak during the first sync \(outcome.peakMiB) MiB")
        let sorted = outcome.latencies.sorted()
        let p50 = sorted[sorted.count / 2]
        let p99 = sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.99).rounded(.up)) - 1)]
        GuestBenchmark.say(
            "agent: one EndpointSlice change, from the API server's write to the kernel, \(changes) changes: "
                + "p50 \(GuestBenchmark.format(p50)), p99 \(GuestBenchmark.format(p99)), "
                + "max \(GuestBenchmark.format(sorted.last!)) (goal p99 < 50 ms: \(p99 < .milliseconds(50) ? "met" : "MISSED"))"
        )
        if let reference { GuestBenchmark.say("ratio: \(GuestBenchmark.ratio(outcome.ready, reference))") }
    }

    /// The agent in this process against the test API server on this host, with in-memory kernels.
    private func measureInMemory() async throws {
        let workload = IPVSWorkload(services: services, endpoints: endpoints)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rudder-bench-\(UUID())").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let server = TestAPIServer(directory: scratch + "/apiserver", bookmarkInterval: 1, stateFile: false)
        try server.start()
        defer { server.stop() }
        try server.writeKubeconfig(to: scratch + "/kubeconfig", user: .tokenFile)
        var objects = [TestAPIServer.nodeJSON(name: "node-a", podCIDR: "10.243.0.0/24", internalIP: "192.0.2.1")]
        for index in 0..<services {
            objects.append(Self.serviceJSON(index))
            objects.append(Self.sliceJSON(index, addresses: workload.endpointAddresses(service: index)))
        }
        try server.load(objects)
        objects = []
        var configuration = RudderConfiguration(nodeName: "node-a")
        configuration.kubernetes.kubeconfig = scratch + "/kubeconfig"
        configuration.podRouting.enabled = false
        configuration.serviceProxy.settings.nodeAddresses = [IPAddress("192.0.2.1")!]
        configuration.serviceProxy.settings.podSubnets = [try IPPrefix(parsing: "10.244.0.0/16")]
        configuration.serviceProxy.ownershipRecord = scratch + "/ipvs-services"
        let kernel = InMemoryServiceKernel()
        let logger = Logger(label: "rudder-bench") { _ in SwiftLogNoOpLogHandler() }
        let agent = RudderAgent(
            configuration: configuration, environment: [:], hostname: "node-a", logger: logger,
            kernels: .init(services: { _ in kernel }, routes: { InMemoryRouteKernel() }))
        let before = Self.memory(of: getpid()).resident
        let clock = ContinuousClock()
        let start = clock.now
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: try agent.controllers())], logger: logger))
        let running = Task { try await group.run() }
        while !agent.health.isReady {
            guard clock.now - start < .seconds(300) else { throw BenchmarkFailure("not ready in 300 s") }
            try await Task.sleep(for: .milliseconds(5))
        }
        let ready = clock.now - start
        let after = Self.memory(of: getpid()).resident
        guard kernel.snapshot.count == services else {
            throw BenchmarkFailure("the in-memory kernel holds \(kernel.snapshot.count) services, not \(services)")
        }
        await group.triggerGracefulShutdown()
        _ = try await running.value
        GuestBenchmark.say(
            "agent in this process, in-memory kernels, \(services) Services × \(endpoints) endpoints from the test "
                + "API server on this host: start to ready \(GuestBenchmark.format(ready)); resident memory grew by "
                + "\(after - before) MiB (it includes the in-memory kernel's copy of the IPVS table)")
    }

    /// What one agent run measured.
    struct AgentRun: Sendable {
        var ready: Duration
        var residentMiB: Int
        var peakMiB: Int
        var latencies: [Duration]
    }

    private func measureAgent(
        rudder: String, fixture: NetworkNamespaceFixture, workload: IPVSWorkload, scratch: String,
        server: TestAPIServer
    ) async throws -> AgentRun {
        let configuration = scratch + "/rudder.yaml"
        try """
        nodeName: node-a
        logLevel: \(showLog ? "info" : "notice")
        kubernetes:
          kubeconfig: \(scratch)/kubeconfig
        podRouting:
          enabled: false
        serviceProxy:
          addresses: [192.0.2.1]
          podSubnets: [10.244.0.0/16]
          iptables: legacy
          ownershipRecord: \(scratch)/ipvs-services
        http:
          host: 127.0.0.1
          port: \(Self.httpPort)
        """.write(toFile: configuration, atomically: true, encoding: .utf8)
        // The node's address, as the node has it: the VIPs' local routes take it as their source.
        _ = try fixture.ip("address", "add", "192.0.2.1/32", "dev", "lo")
        let clock = ContinuousClock()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: rudder)
        process.arguments = ["run", "--config", configuration, "--namespace", fixture.name]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        _ = FileManager.default.createFile(atPath: scratch + "/agent.log", contents: nil)
        process.standardError = FileHandle(forWritingAtPath: scratch + "/agent.log")
        let start = clock.now
        try process.run()
        defer {
            if process.isRunning {
                kill(process.processIdentifier, SIGTERM)
                process.waitUntilExit()
            }
        }
        func log() -> String {
            String((try? String(contentsOfFile: scratch + "/agent.log", encoding: .utf8))?.suffix(6000) ?? "")
        }
        while Self.httpStatus("/readyz") != 200 {
            guard process.isRunning else { throw BenchmarkFailure("rudder run exited: \(log())") }
            guard clock.now - start < .seconds(600) else { throw BenchmarkFailure("not ready in 600 s: \(log())") }
            try await Task.sleep(for: .milliseconds(10))
        }
        let ready = clock.now - start
        let (resident, peak) = Self.memory(of: process.processIdentifier)
        try GuestBenchmark.expectRules(Set(workload.rules()), in: fixture, after: "the agent's first sync")

        // One change at a time: one endpoint of one Service replaced, timed until IPVS has it.
        let client = try IPVSClient(namespace: fixture.namespace)
        var latencies: [Duration] = []
        for change in 0..<changes {
            let index = (change * 7_919) % services
            var addresses = workload.endpointAddresses(service: index)
            let fresh = IPAddress.v4(UInt32(10 << 24 | 245 << 16) + UInt32(change + 1))
            addresses[0] = fresh
            let slice = Self.sliceJSON(index, addresses: addresses)
            let key = IPVSWorkload.key(index)
            let written = clock.now
            try server.put(slice)
            while true {
                let servers = try client.realServers(of: key)
                if servers.contains(where: { $0.server.address == fresh && $0.server.weight > 0 }) { break }
                guard clock.now - written < .seconds(30) else {
                    throw BenchmarkFailure("change \(change) (service \(index)) not in IPVS after 30 s: \(log())")
                }
                try await Task.sleep(for: .milliseconds(1))
            }
            latencies.append(clock.now - written)
        }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        if showLog { GuestBenchmark.say("agent log:\n\(log())") }
        guard process.terminationStatus == 0 else {
            throw BenchmarkFailure("rudder run exited with \(process.terminationStatus) on SIGTERM: \(log())")
        }
        return AgentRun(ready: ready, residentMiB: resident, peakMiB: peak, latencies: latencies)
    }

    static func serviceJSON(_ index: Int) -> String {
        TestAPIServer.serviceJSON(
            namespace: "bench", name: "service-\(index)", clusterIP: "\(IPVSWorkload.vip(index))",
            ports: [.init(name: nil, port: Int(IPVSWorkload.servicePort), targetPort: "\(IPVSWorkload.targetPort)")])
    }

    static func sliceJSON(_ index: Int, addresses: [IPAddress]) -> String {
        TestAPIServer.endpointSliceJSON(
            namespace: "bench", name: "service-\(index)-1", service: "service-\(index)",
            addresses: addresses.map { "\($0)" }, port: Int(IPVSWorkload.targetPort), portName: nil, nodeName: "node-b")
    }

    /// `rudder`, built beside this executable.
    static func rudderExecutable() throws -> String {
        let me = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let path = URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("rudder").path
        guard access(path, X_OK) == 0 else {
            throw BenchmarkFailure("\(path) is missing: build it beside rudder-bench (swift build -c release)")
        }
        return path
    }

    /// VmRSS and VmHWM of a process, in MiB.
    static func memory(of pid: pid_t) -> (resident: Int, peak: Int) {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        func field(_ name: String) -> Int {
            for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
                let kibibytes = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
                return kibibytes / 1024
            }
            return 0
        }
        return (field("VmRSS"), field("VmHWM"))
    }

    /// The status of a GET on the agent's HTTP port, over a plain socket (a curl process per poll
    /// would take CPU from the agent being timed), or nil when nothing answers.
    static func httpStatus(_ path: String) -> Int? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(httpPort).bigEndian)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET \(path) HTTP/1.0\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(descriptor, $0.baseAddress, $0.count, 0) }) == request.count else {
            return nil
        }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard count >= 12 else { return nil }
        // "HTTP/1.1 200 ..."
        return Int(String(decoding: buffer[9..<12], as: UTF8.self))
    }
}
