import Addresses
import ArgumentParser
import Foundation
import IPVS
import Netlink
import RudderLab
import ServiceProxy

/// Changes one endpoint of one Service among N, with Rudder's reconciler and with two `ipvsadm` runs.
///
/// Runs in a User-Mode Linux guest (the host kernel has no IPVS). Counts the IPVS writes an update
/// sends (it must be O(change), not O(N)), times it, and checks that a resync with nothing changed
/// writes nothing.
struct IPVSUpdateBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ipvs-update",
        abstract: "Change one endpoint among many services, in a User-Mode Linux guest: Rudder vs two ipvsadm runs.")

    @Option(help: "How many services (TCP VIPs 10.96.x.y:80).") var services = 10_000
    @Option(help: "How many endpoints per service (NAT real servers 10.244.x.y:8080).") var endpoints = 10
    @Option(help: "How many updates, each to a different service; the median is reported.") var updates = 20
    @Flag(help: .hidden) var inGuest = false

    /// kube-router's behaviour, printed for context only: it was not measured here.
    static let kubeRouter =
        "kube-router: full resync on every endpoint change, ~16 s at 2,700 services (its issue #962)"

    func validate() throws {
        try IPVSWorkload.validate(services: services, endpoints: endpoints)
        guard (1...min(services, 10_000)).contains(updates) else {
            throw ValidationError("--updates must be 1...min(--services, 10000)")
        }
    }

    func run() async throws {
        guard inGuest else {
            // Set-up through the reconciler, whole-table checks with ipvsadm, and the updates.
            let objects = Int64(services * (endpoints + 1))
            let limit = 600 + objects * 12 / 1_000 + Int64(updates)
            let arguments = [
                "ipvs-update", "--services", "\(services)", "--endpoints", "\(endpoints)", "--updates", "\(updates)",
            ]
            return try await GuestBenchmark.run(arguments, modules: IPVSWorkload.modules, timeout: .seconds(limit))
        }
        try GuestBenchmark.requireGuest()
        try await measure()
    }

    private func measure() async throws {
        GuestBenchmark.say(GuestBenchmark.describeGuest())
        let ipvsadm = try GuestBenchmark.tool("ipvsadm", package: "ipvsadm")
        let workload = IPVSWorkload(services: services, endpoints: endpoints)
        let scratch = try GuestBenchmark.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try GuestBenchmark.expectRules([], after: "booting the guest")
        let clock = ContinuousClock()

        // The state a running proxy would hold: programmed by the reconciler, recorded as its own.
        let kernel = try IPVSWorkload.kernel()
        let reconciler = ServiceProxyReconciler(
            kernel: kernel, settings: IPVSWorkload.settings, record: OwnershipRecord(path: scratch + "/ipvs-services"),
            logger: RoutesBenchmark.quiet)
        let setupStart = clock.now
        let setup = try await reconciler.replaceAll(workload.proxiedServices())
        let setupTime = clock.now - setupStart
        guard setup.failures.isEmpty, setup.rejected.isEmpty, setup.conflicts.isEmpty,
            setup.applied.count == workload.objectCount
        else {
            throw BenchmarkFailure(
                "set-up with ServiceProxyReconciler.replaceAll: \(setup), expected \(workload.objectCount) applied"
                    + (setup.failures.first.map { "; first failure: \($0)" } ?? ""))
        }
        try GuestBenchmark.expectRules(Set(workload.rules()), after: "the set-up")
        try IPVSWorkload.expectVIPs(services, after: "the set-up")
        GuestBenchmark.say(
            "set-up: ServiceProxyReconciler.replaceAll of \(services) services × \(endpoints) endpoints "
                + "(\(workload.objectCount) IPVS objects, \(services) VIPs): \(GuestBenchmark.format(setupTime))")

        let reader = try RealServerReader()
        var changed: [Int: [IPAddress]] = [:]
        var referenceTimes: [Duration] = []
        var rudderTimes: [Duration] = []
        var writeCounts: [Int] = []
        for update in 0..<updates {
            let index = update * services / updates
            let key = IPVSWorkload.key(index)
            let original = workload.endpointAddresses(service: index)
            let virtual = "\(IPVSWorkload.vip(index)):\(IPVSWorkload.servicePort)"
            func server(_ address: IPAddress) -> String { "\(address):\(IPVSWorkload.targetPort)" }

            // Reference: the same single change as two ipvsadm runs, then put back (not timed).
            let referenceAddress = IPAddress.v4(UInt32(10 << 24 | 246 << 16) + UInt32(update + 1))
            let add = [ipvsadm, "-a", "-t", virtual, "-r", server(referenceAddress), "-m", "-w", "1"]
            let delete = [ipvsadm, "-d", "-t", virtual, "-r", server(original[0])]
            let reference =
                try GuestBenchmark.timed(add, scratch: scratch) + GuestBenchmark.timed(delete, scratch: scratch)
            try await reader.expect(key, [referenceAddress] + original.dropFirst(), after: "ipvsadm's change \(update)")
            try GuestBenchmark.timed(
                [ipvsadm, "-a", "-t", virtual, "-r", server(original[0]), "-m", "-w", "1"], scratch: scratch)
            try GuestBenchmark.timed([ipvsadm, "-d", "-t", virtual, "-r", server(referenceAddress)], scratch: scratch)
            try await reader.expect(key, original, after: "putting back ipvsadm's change \(update)")
            referenceTimes.append(reference)

            // Rudder: the Service arrives with one endpoint replaced.
            var addresses = original
            addresses[0] = .v4(UInt32(10 << 24 | 245 << 16) + UInt32(update + 1))
            let writesBefore = kernel.ipvsWritesSent
            let start = clock.now
            let report = try await reconciler.update(workload.proxiedService(index, endpointAddresses: addresses))
            let elapsed = clock.now - start
            let writes = kernel.ipvsWritesSent - writesBefore
            guard report.failures.isEmpty, report.rejected.isEmpty, report.conflicts.isEmpty else {
                throw BenchmarkFailure(
                    "Rudder's update \(update) of service \(index): \(report)"
                        + (report.failures.first.map { "; first failure: \($0)" } ?? ""))
            }
            try await reader.expect(key, addresses, after: "Rudder's update \(update)")
            changed[index] = addresses
            rudderTimes.append(elapsed)
            writeCounts.append(writes)
            GuestBenchmark.say(
                "update \(update) (service \(index)): ipvsadm ×2 \(GuestBenchmark.format(reference)), "
                    + "rudder \(GuestBenchmark.format(elapsed)), \(writes) IPVS writes")
        }

        // A resync with nothing changed reads everything and must write nothing.
        let resyncWritesBefore = kernel.ipvsWritesSent
        let resyncStart = clock.now
        let resync = try await reconciler.resync()
        let resyncTime = clock.now - resyncStart
        let resyncWrites = kernel.ipvsWritesSent - resyncWritesBefore
        guard resyncWrites == 0, resync.applied.isEmpty, resync.failures.isEmpty, resync.conflicts.isEmpty else {
            throw BenchmarkFailure(
                "a resync with nothing changed sent \(resyncWrites) IPVS writes (\(resync)); it must send none")
        }
        let expected = (0..<services).flatMap {
            IPVSWorkload.rules(service: $0, endpointAddresses: changed[$0] ?? workload.endpointAddresses(service: $0))
        }
        try GuestBenchmark.expectRules(Set(expected), after: "the updates and the resync")
        try IPVSWorkload.expectVIPs(services, after: "the updates and the resync")
        try IPVSWorkload.removeVIPs()
        try GuestBenchmark.clearIPVS()

        let referenceMedian = GuestBenchmark.median(referenceTimes)
        let rudderMedian = GuestBenchmark.median(rudderTimes)
        let writesMedian = writeCounts.sorted()[writeCounts.count / 2]
        let writesMax = writeCounts.max()!
        GuestBenchmark.say(
            "ipvs-update: \(services) services × \(endpoints) endpoints; \(updates) updates, each replacing "
                + "one endpoint of a different service (medians below)")
        GuestBenchmark.say(
            "IPVS writes per update: median \(writesMedian), max \(writesMax) "
                + "(goal ≤ 3: \(writesMax <= 3 ? "met" : "MISSED"))")
        GuestBenchmark.say(
            "resync with nothing changed: \(resyncWrites) IPVS writes, \(GuestBenchmark.format(resyncTime))")
        GuestBenchmark.say(
            "reference (ipvsadm -a + ipvsadm -d, two process runs): \(GuestBenchmark.format(referenceMedian))")
        GuestBenchmark.say(
            "rudder (ServiceProxyReconciler.update: re-read the service, plan it, apply): "
                + "\(GuestBenchmark.format(rudderMedian)), max \(GuestBenchmark.format(rudderTimes.max()!))")
        GuestBenchmark.say(Self.kubeRouter)
        GuestBenchmark.say("ratio: \(GuestBenchmark.ratio(rudderMedian, referenceMedian))")
    }
}

/// Reads a service's real servers over a socket of its own, to check each change independently.
private final class RealServerReader: Sendable {
    private let client: IPVSClient
    private let executor = NetlinkExecutor(label: "rudder-bench.ipvs-update.reader")

    /// Opens the socket and resolves the IPVS family.
    init() throws {
        client = try IPVSClient(namespace: .current)
    }

    /// Fails unless `key` has exactly real servers at `addresses`, NAT to the target port with weight 1.
    func expect(_ key: IPVSServiceKey, _ addresses: [IPAddress], after step: String) async throws {
        let servers = try await executor.run { [client] in try client.realServers(of: key).map(\.server) }
        let wanted = addresses.map { IPVSRealServer(address: $0, port: IPVSWorkload.targetPort) }
        guard servers.count == wanted.count, Set(servers) == Set(wanted) else {
            throw BenchmarkFailure(
                "after \(step) \(key) has real servers \(servers.map(\.description).sorted()), "
                    + "expected \(wanted.map(\.description).sorted())")
        }
    }
}
