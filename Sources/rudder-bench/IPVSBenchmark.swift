import Addresses
import ArgumentParser
import Foundation
import IPVS
import Logging
import Netlink
import RudderLab
import ServiceProxy

/// Programs N services × M endpoints into an empty IPVS table with `ipvsadm -R` and with Rudder.
///
/// Runs in a User-Mode Linux guest (the host kernel has no IPVS); both tools run in the same guest.
struct IPVSBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ipvs",
        abstract: "Program IPVS services from empty, in a User-Mode Linux guest: Rudder vs `ipvsadm -R`.")

    @Option(help: "How many services (TCP VIPs 10.96.x.y:80).") var services = 10_000
    @Option(help: "How many endpoints per service (NAT real servers 10.244.x.y:8080).") var endpoints = 10
    @Option(help: "How many runs of each tool, alternating; the median is reported.") var runs = 3
    @Option(help: "Services for the informational ServiceProxyReconciler.replaceAll figure (default: --services).")
    var reconcilerServices: Int?
    @Flag(help: .hidden) var inGuest = false

    func validate() throws {
        try IPVSWorkload.validate(services: services, endpoints: endpoints)
        guard runs > 0 else { throw ValidationError("--runs must be at least 1") }
        if let reconcilerServices, !(0...IPVSWorkload.maximumServices).contains(reconcilerServices) {
            throw ValidationError("--reconciler-services must be 0...\(IPVSWorkload.maximumServices) (0 skips it)")
        }
    }

    func run() async throws {
        guard inGuest else {
            // About 1,000 objects a second for ipvsadm in the guest, several tool runs and checks per run.
            let objects = Int64(services * (endpoints + 1))
            let limit = 600 + objects * Int64(runs + 1) * 6 / 1_000
            var arguments = ["ipvs", "--services", "\(services)", "--endpoints", "\(endpoints)", "--runs", "\(runs)"]
            if let reconcilerServices { arguments += ["--reconciler-services", "\(reconcilerServices)"] }
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
        let rules = workload.rules()
        let rulesFile = scratch + "/rules"
        try (rules.joined(separator: "\n") + "\n").write(toFile: rulesFile, atomically: false, encoding: .utf8)
        let expected = Set(rules)
        let desired = workload.desiredVirtualServices()
        let objects = workload.objectCount

        var referenceTimes: [Duration] = []
        var rudderTimes: [Duration] = []
        var planTimes: [Duration] = []
        let executor = NetlinkExecutor(label: "rudder-bench.ipvs")
        for run in 1...runs {
            let reference = try await IPVSWorkload.inFreshNamespace { fixture in
                let namespace = fixture.namespace
                // A child spawned by a thread inside the namespace starts there: no `ip netns exec` in the timing.
                let elapsed = try await executor.run {
                    try namespace.run { try GuestBenchmark.timed([ipvsadm, "-R"], input: rulesFile, scratch: scratch) }
                }
                try GuestBenchmark.expectRules(expected, in: fixture, after: "ipvsadm -R (run \(run))")
                return elapsed
            }
            referenceTimes.append(reference)

            let outcome = try await IPVSWorkload.inFreshNamespace { fixture in
                let namespace = fixture.namespace
                // The proxy's own path: open the socket and resolve the family, plan from empty, apply pipelined.
                let outcome = try await executor.run { () throws -> RudderRun in
                    let clock = ContinuousClock()
                    let start = clock.now
                    let client = try IPVSClient(namespace: namespace)
                    let opened = clock.now
                    let plan = ServicePlanner.plan(desired: desired, observed: [:], owned: [])
                    let planned = clock.now
                    let result = client.apply(plan.operations)
                    let finished = clock.now
                    return RudderRun(
                        elapsed: finished - start, planning: planned - opened, operations: plan.operations.count,
                        writes: client.writesSent, failures: result.failures.count, reportsLost: result.reportsLost,
                        firstFailure: result.failures.min { $0.key < $1.key }.map { "\($0.value)" })
                }
                guard outcome.failures == 0, !outcome.reportsLost, outcome.operations == objects,
                    outcome.writes == objects
                else {
                    throw BenchmarkFailure(
                        "Rudder run \(run): \(outcome.operations) operations, \(outcome.writes) writes, "
                            + "\(outcome.failures) failures (first: \(outcome.firstFailure ?? "none")), "
                            + "reports lost: \(outcome.reportsLost); expected \(objects) operations and no failures")
                }
                try GuestBenchmark.expectRules(expected, in: fixture, after: "Rudder's apply (run \(run))")
                return outcome
            }
            rudderTimes.append(outcome.elapsed)
            planTimes.append(outcome.planning)
            let rudder = GuestBenchmark.format(outcome.elapsed)
            let plan = GuestBenchmark.format(outcome.planning)
            GuestBenchmark.say(
                "run \(run): ipvsadm -R \(GuestBenchmark.format(reference)), rudder \(rudder) (plan \(plan))")
        }

        let reconcilerSize = reconcilerServices ?? services
        if reconcilerSize > 0 {
            try await measureReconciler(IPVSWorkload(services: reconcilerSize, endpoints: endpoints), scratch: scratch)
        }

        let referenceMedian = GuestBenchmark.median(referenceTimes)
        let rudderMedian = GuestBenchmark.median(rudderTimes)
        GuestBenchmark.say(
            "ipvs: \(services) services × \(endpoints) endpoints = \(objects) IPVS objects, runs: \(runs), "
                + "each in a fresh network namespace (medians below)")
        GuestBenchmark.say(
            "reference (ipvsadm -R from a file, one request per reply): \(GuestBenchmark.format(referenceMedian)) "
                + "(\(Int(Double(objects) / (referenceMedian / .seconds(1)))) objects/s)")
        let planMedian = GuestBenchmark.format(GuestBenchmark.median(planTimes))
        GuestBenchmark.say(
            "rudder (ServicePlanner.plan from empty + IPVSClient.apply, pipelined; \(objects) writes): "
                + "\(GuestBenchmark.format(rudderMedian)) (plan \(planMedian), "
                + "\(Int(Double(objects) / (rudderMedian / .seconds(1)))) objects/s)")
        GuestBenchmark.say("ratio: \(GuestBenchmark.ratio(rudderMedian, referenceMedian))")
    }

    /// For information: the whole start-up path, which also translates Services, binds the VIPs
    /// and sets up the masquerade rules.
    private func measureReconciler(_ workload: IPVSWorkload, scratch: String) async throws {
        let (elapsed, report) = try await IPVSWorkload.inFreshNamespace { fixture in
            let reconciler = ServiceProxyReconciler(
                kernel: try IPVSWorkload.kernel(in: fixture.namespace), settings: IPVSWorkload.settings,
                record: OwnershipRecord(path: scratch + "/ipvs-services"), logger: RoutesBenchmark.quiet)
            let wanted = workload.proxiedServices()
            let clock = ContinuousClock()
            let start = clock.now
            let report = try await reconciler.replaceAll(wanted)
            let elapsed = clock.now - start
            guard report.failures.isEmpty, report.rejected.isEmpty, report.conflicts.isEmpty,
                report.applied.count == workload.objectCount
            else {
                throw BenchmarkFailure(
                    "ServiceProxyReconciler.replaceAll: \(report), expected \(workload.objectCount) applied"
                        + (report.failures.first.map { "; first failure: \($0)" } ?? ""))
            }
            try GuestBenchmark.expectRules(
                Set(workload.rules()), in: fixture, after: "ServiceProxyReconciler.replaceAll")
            try IPVSWorkload.expectVIPs(
                workload.services, in: fixture.namespace, after: "ServiceProxyReconciler.replaceAll")
            return (elapsed, report)
        }
        GuestBenchmark.say(
            "for information: ServiceProxyReconciler.replaceAll with NetlinkServiceKernel at \(workload.services) "
                + "services × \(workload.endpoints) endpoints (read, translate, plan, apply \(report.applied.count), "
                + "record, bind \(workload.services) VIPs, masquerade rules): \(GuestBenchmark.format(elapsed))")
    }
}

/// What one of Rudder's runs did, carried back from the netlink thread.
private struct RudderRun: Sendable {
    var elapsed: Duration
    var planning: Duration
    var operations: Int
    var writes: Int
    var failures: Int
    var reportsLost: Bool
    var firstFailure: String?
}

/// The services the IPVS benchmarks program, and the same state as `ipvsadm` rules.
///
/// Service i is TCP on VIP 10.96.0.0 + i + 1, port 80, round robin; its endpoint j is a NAT real
/// server on 10.244.0.0 + (i × M + j) mod 65,000 + 1, port 8080, weight 1. Endpoint addresses
/// repeat across services at large sizes, never within one.
struct IPVSWorkload: Sendable {
    /// How many services.
    let services: Int
    /// How many endpoints each.
    let endpoints: Int

    /// The kernel modules the guest loads: IPVS, its round-robin scheduler, dummy links for the
    /// VIPs, and what the proxy's masquerade rules need (legacy iptables, ipsets).
    static let modules = ["ip_vs", "ip_vs_rr", "dummy"] + NetfilterController.kernelModules
    /// The proxy's default settings, with the pod network the endpoints live in; the guest kernel
    /// has only legacy iptables.
    static let settings = ProxySettings(
        podSubnets: [IPPrefix(address: .v4(10 << 24 | 244 << 16), length: 16)], iptablesVariant: "legacy")
    /// VIPs stay inside 10.96.0.0/16.
    static let maximumServices = 65_000
    /// Endpoint addresses of one service stay distinct.
    static let maximumEndpoints = 1_000
    /// Checks the sizes that `--services` and `--endpoints` ask for.
    static func validate(services: Int, endpoints: Int) throws {
        guard (1...IPVSWorkload.maximumServices).contains(services) else {
            throw ValidationError("--services must be 1...\(IPVSWorkload.maximumServices)")
        }
        guard (1...IPVSWorkload.maximumEndpoints).contains(endpoints) else {
            throw ValidationError("--endpoints must be 1...\(IPVSWorkload.maximumEndpoints)")
        }
    }

    /// The services' port.
    static let servicePort: UInt16 = 80
    /// The endpoints' port.
    static let targetPort: UInt16 = 8080

    /// Services plus real servers: what `ipvsadm -R` and Rudder each create.
    var objectCount: Int { services * (endpoints + 1) }

    /// The VIP of service `index`.
    static func vip(_ index: Int) -> IPAddress { .v4(UInt32(10 << 24 | 96 << 16) + UInt32(index + 1)) }

    /// The IPVS key of service `index`.
    static func key(_ index: Int) -> IPVSServiceKey { .address(.tcp, vip(index), port: servicePort) }

    /// The address of endpoint `endpoint` of service `service`.
    func endpointAddress(service: Int, endpoint: Int) -> IPAddress {
        .v4(UInt32(10 << 24 | 244 << 16) + UInt32((service * endpoints + endpoint) % 65_000 + 1))
    }

    /// Every service's endpoint addresses.
    func endpointAddresses(service: Int) -> [IPAddress] {
        (0..<endpoints).map { endpointAddress(service: service, endpoint: $0) }
    }

    /// What the planner is given: every virtual service with its real servers.
    func desiredVirtualServices() -> [IPVSServiceKey: DesiredVirtualService] {
        var result: [IPVSServiceKey: DesiredVirtualService] = [:]
        result.reserveCapacity(services)
        for index in 0..<services {
            let key = Self.key(index)
            result[key] = DesiredVirtualService(
                service: IPVSVirtualService(key: key, scheduler: "rr"),
                realServers: endpointAddresses(service: index).map {
                    IPVSRealServer(address: $0, port: Self.targetPort)
                })
        }
        return result
    }

    /// The Service `index` as the reconciler gets it: one ClusterIP, one port, ready endpoints.
    func proxiedService(_ index: Int, endpointAddresses addresses: [IPAddress]? = nil) -> ProxiedService {
        ProxiedService(
            name: ServiceName(namespace: "bench", name: "service-\(index)"), clusterIPs: [Self.vip(index)],
            ports: [ServicePort(port: Int(Self.servicePort), targetPort: Int(Self.targetPort))],
            endpoints: (addresses ?? endpointAddresses(service: index)).map { ServiceEndpoint(address: $0) })
    }

    /// Every Service as the reconciler gets it.
    func proxiedServices() -> [ProxiedService] { (0..<services).map { proxiedService($0) } }

    /// The state as `ipvsadm -Sn` prints it, which is also what `ipvsadm -R` reads.
    func rules() -> [String] {
        var lines: [String] = []
        lines.reserveCapacity(objectCount)
        for index in 0..<services {
            lines += Self.rules(service: index, endpointAddresses: endpointAddresses(service: index))
        }
        return lines
    }

    /// One service's rules, with the given endpoints.
    static func rules(service index: Int, endpointAddresses addresses: [IPAddress]) -> [String] {
        let virtual = "-t \(vip(index)):\(servicePort)"
        return ["-A \(virtual) -s rr"] + addresses.map { "-a \(virtual) -r \($0):\(targetPort) -m -w 1" }
    }

    /// The proxy's kernel adapter in `namespace`, as `rudder proxy` makes it with `settings`.
    static func kernel(in namespace: NetworkNamespace = .current) throws -> NetlinkServiceKernel {
        try NetlinkServiceKernel(namespace: namespace, iptablesVariant: settings.iptablesVariant)
    }

    /// Runs `body` in a network namespace of its own, then empties and deletes the namespace.
    ///
    /// IPVS keeps deleted real servers in a per-namespace trash list for two minutes or more and
    /// searches the whole list on every add, so a table cleared and refilled in one namespace gets
    /// slower each time: every run starts from a namespace that has never had IPVS state.
    static func inFreshNamespace<T: Sendable>(
        _ body: (NetworkNamespaceFixture) async throws -> T
    ) async throws -> T {
        let fixture = try NetworkNamespaceFixture(prefix: "rudder-bench")
        let result: T
        do {
            result = try await body(fixture)
        } catch {
            try? fixture.remove()
            throw error
        }
        // Emptied here, untimed, so the kernel's clean-up of the namespace does not overlap the next run.
        let cleared = try fixture.run("ipvsadm", ["-C"])
        guard cleared.succeeded else { throw ShellError(commandLine: cleared.commandLine, result: cleared) }
        try GuestBenchmark.expectRules([], in: fixture, after: "ipvsadm -C")
        try fixture.remove()
        try await Task.sleep(for: .seconds(1))
        return result
    }

    /// Fails unless the dummy link holds exactly the first `count` VIPs.
    static func expectVIPs(_ count: Int, in namespace: NetworkNamespace = .current, after step: String) throws {
        let netlink = try Rtnetlink(namespace: namespace)
        guard let link = try netlink.link(named: ProxySettings.defaultDummyInterface) else {
            throw BenchmarkFailure("after \(step) there is no \(ProxySettings.defaultDummyInterface) link")
        }
        let bound = Set(try netlink.addresses(family: .ipv4).filter { $0.linkIndex == link.index }.map(\.address))
        let expected = Set((0..<count).map { IPPrefix(address: vip($0), length: 32) })
        guard bound == expected else {
            throw BenchmarkFailure(
                "after \(step) \(ProxySettings.defaultDummyInterface) holds \(bound.count) IPv4 addresses, "
                    + "\(bound.intersection(expected).count) of the \(count) VIPs")
        }
    }

    /// Deletes the dummy link and with it every VIP.
    static func removeVIPs() throws {
        try Rtnetlink().deleteLink(named: ProxySettings.defaultDummyInterface)
    }
}
