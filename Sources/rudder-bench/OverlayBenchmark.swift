import Addresses
import ArgumentParser
import Foundation
import Netlink
import PodNetwork
import PodRouting
import RudderLab

/// Sets up IP-in-IP tunnels and the pod routes through them to N remote nodes from empty, with
/// Rudder and with a shell script of `ip` commands.
///
/// Runs in a User-Mode Linux guest (the host kernel has no `ipip`); both run in the same guest,
/// each in a fresh network namespace.
struct OverlayBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overlay",
        abstract: "Set up overlay tunnels and pod routes to N nodes, in a User-Mode Linux guest: Rudder vs `ip`.")

    @Option(help: "How many remote nodes, each with a tunnel and a /24 pod CIDR routed through it.") var nodes = 1_000
    @Option(help: "How many runs of each, alternating; the median is reported.") var runs = 3
    @Flag(help: .hidden) var inGuest = false

    /// The tunnel and the bridge the pod network creates; modprobe brings their dependencies.
    static let modules = ["ipip", "ip_tunnel", "tunnel4", "veth", "bridge"]
    /// This node's address, where every tunnel starts.
    static let local = IPAddress.v4(172 << 24 | 16 << 16 | 1)
    /// The pods' MTU, and so the tunnels': a 1500-byte underlay less the outer header.
    static let mtu: UInt32 = 1500 - OverlayEncapsulation.ipip.overhead

    func validate() throws {
        guard (1...30_000).contains(nodes) else { throw ValidationError("--nodes must be 1...30000") }
        guard runs > 0 else { throw ValidationError("--runs must be at least 1") }
    }

    func run() async throws {
        guard inGuest else {
            // The shell starts 3 `ip` processes a node, and a process takes about 0.1 s to start in the guest.
            let limit = 600 + Int64(nodes) * Int64(runs) * 6 / 10
            return try await GuestBenchmark.run(
                ["overlay", "--nodes", "\(nodes)", "--runs", "\(runs)"], modules: Self.modules,
                timeout: .seconds(limit))
        }
        try GuestBenchmark.requireGuest()
        try await measure()
    }

    /// Remote node `index`'s address: 172.16.0.2 onwards, on this node's underlay subnet.
    static func remote(_ index: Int) -> IPAddress { .v4(UInt32(172 << 24 | 16 << 16) + UInt32(index + 2)) }

    /// Remote node `index`'s pod CIDR: a /24 from 10.128.0.0 onwards.
    static func podCIDR(_ index: Int) -> IPPrefix {
        IPPrefix(address: .v4(UInt32(10 << 24 | 128 << 16) + UInt32(index) << 8), length: 24)
    }

    private func measure() async throws {
        GuestBenchmark.say(GuestBenchmark.describeGuest())
        let ip = try GuestBenchmark.tool("ip", package: "iproute2")
        let shell = try GuestBenchmark.tool("sh", package: "dash")
        let scratch = try GuestBenchmark.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let script = scratch + "/overlay.sh"
        try shellScript(ip: ip).write(toFile: script, atomically: false, encoding: .utf8)
        let batch = scratch + "/overlay.batch"
        try batchFile().write(toFile: batch, atomically: false, encoding: .utf8)
        let tunnels = (0..<nodes).map { OverlayTunnel(local: Self.local, remote: Self.remote($0)) }
        let state = PodNetworkState(podCIDRs: [], mtu: Self.mtu, tunnels: tunnels)

        var referenceTimes: [Duration] = []
        var rudderTimes: [Duration] = []
        var batchTimes: [Duration] = []
        var last: RudderRun?
        let executor = NetlinkExecutor(label: "rudder-bench.overlay")
        for run in 1...runs {
            let reference = try await Self.inFreshNamespace { fixture in
                let namespace = fixture.namespace
                // A child spawned by a thread inside the namespace starts there: no `ip netns exec` in the timing.
                let elapsed = try await executor.run {
                    try namespace.run { try GuestBenchmark.timed([shell, script], scratch: scratch) }
                }
                try expectOverlay(in: fixture, after: "the shell script (run \(run))")
                return elapsed
            }
            referenceTimes.append(reference)

            let batched = try await Self.inFreshNamespace { fixture in
                let namespace = fixture.namespace
                let elapsed = try await executor.run {
                    try namespace.run { try GuestBenchmark.timed([ip, "-batch", batch], scratch: scratch) }
                }
                try expectOverlay(in: fixture, after: "ip -batch (run \(run))")
                return elapsed
            }
            batchTimes.append(batched)

            let outcome = try await Self.inFreshNamespace { fixture in
                let outcome = try await rudder(state, in: fixture.namespace, configDirectory: scratch + "/cni-\(run)")
                try expectOverlay(in: fixture, after: "Rudder's apply (run \(run))")
                return outcome
            }
            rudderTimes.append(outcome.elapsed)
            last = outcome
            let format = GuestBenchmark.format
            GuestBenchmark.say(
                "run \(run): shell \(format(reference)), ip -batch \(format(batched)), "
                    + "rudder \(format(outcome.elapsed)) (tunnels \(format(outcome.tunnels)), "
                    + "routes \(format(outcome.routes)))")
        }

        let referenceMedian = GuestBenchmark.median(referenceTimes)
        let rudderMedian = GuestBenchmark.median(rudderTimes)
        GuestBenchmark.say(
            "overlay: \(nodes) remote nodes, an ipip tunnel and a /24 route through it each, runs: \(runs), "
                + "each in a fresh network namespace (medians below)")
        GuestBenchmark.say(
            "reference (sh running \(3 * nodes + 2) ip commands: ip tunnel add, ip link set up, "
                + "ip route add ... onlink per node): \(GuestBenchmark.format(referenceMedian))")
        GuestBenchmark.say(
            "for information (the same commands in one process): ip -batch "
                + GuestBenchmark.format(GuestBenchmark.median(batchTimes)))
        if let last {
            GuestBenchmark.say(
                "rudder (PodNetworkReconciler.apply + RouteReconciler.apply; \(last.writes) writes): "
                    + "\(GuestBenchmark.format(rudderMedian))")
            GuestBenchmark.say(
                "for information, last run: the same state again took \(GuestBenchmark.format(last.again)) "
                    + "and sent \(last.writesAgain) writes")
        }
        GuestBenchmark.say("ratio: \(GuestBenchmark.ratio(rudderMedian, referenceMedian))")
    }

    /// The reference: the bridge Rudder also creates, then per node what an operator would type.
    ///
    /// `ip route add CIDR dev TUNNEL onlink` is refused (EINVAL, "PERVASIVE and ONLINK can not be
    /// set": onlink needs a gateway), so the route names the remote as its gateway, as Rudder's does.
    private func shellScript(ip: String) -> String {
        let settings = PodNetworkSettings()
        var lines = [
            "set -e",
            "\(ip) link add \(settings.bridgeName) mtu \(Self.mtu) type bridge",
            "\(ip) link set \(settings.bridgeName) up",
        ]
        lines.reserveCapacity(3 * nodes + lines.count)
        for index in 0..<nodes {
            let remote = Self.remote(index)
            let name = OverlayTunnel.name(remote: remote)
            lines.append("\(ip) tunnel add \(name) mode ipip local \(Self.local) remote \(remote)")
            lines.append("\(ip) link set \(name) up")
            lines.append(
                "\(ip) route add \(Self.podCIDR(index)) via \(remote) dev \(name) onlink "
                    + "proto \(PodRoutingSettings.rudderProtocol)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The script's commands for `ip -batch`, which runs them in one process.
    private func batchFile() -> String {
        shellScript(ip: "").split(separator: "\n").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: "\n") + "\n"
    }

    /// Rudder's run: the pod network with its tunnels, then the routes through the indexes it reports.
    private func rudder(
        _ state: PodNetworkState, in namespace: NetworkNamespace, configDirectory: String
    ) async throws -> RudderRun {
        let clock = ContinuousClock()
        let start = clock.now
        let podKernel = try NetlinkPodNetworkKernel(namespace: namespace)
        let podNetwork = PodNetworkReconciler(
            kernel: podKernel, egress: nil, settings: PodNetworkSettings(configDirectory: configDirectory),
            logger: RoutesBenchmark.quiet)
        let report = await podNetwork.apply(state)
        let tunnelled = clock.now
        let routeKernel = try NetlinkRouteKernel(namespace: namespace)
        let routes = RouteReconciler(kernel: routeKernel, logger: RoutesBenchmark.quiet)
        let wanted = (0..<nodes).map { index in
            let remote = Self.remote(index)
            return PodRoute(prefix: Self.podCIDR(index), nextHops: [remote], link: report.tunnelLinks[remote])
        }
        let routed = try await routes.apply(wanted)
        let finished = clock.now
        guard report.failures.isEmpty, report.problems.isEmpty, report.applied.count == 2 * nodes + 2,
            report.tunnelLinks.count == nodes
        else {
            throw BenchmarkFailure(
                "Rudder's pod network: \(report); \(report.tunnelLinks.count) tunnel indexes, expected \(nodes); "
                    + "first failure: \(report.failures.first ?? report.problems.first ?? "none")")
        }
        guard routed.failures.isEmpty, routed.unresolved.isEmpty, routed.applied.count == nodes else {
            throw BenchmarkFailure(
                "Rudder's routes: \(routed), expected \(nodes) applied; first failure: "
                    + "\(routed.failures.first.map { "\($0)" } ?? routed.unresolved.first.map { "\($0)" } ?? "none")")
        }
        let writes = podKernel.writesSent + routeKernel.writesSent
        let againStart = clock.now
        let again = await podNetwork.apply(state)
        let routedAgain = try await routes.apply(wanted)
        let againElapsed = clock.now - againStart
        guard again.failures.isEmpty, routedAgain.failures.isEmpty else {
            throw BenchmarkFailure("Rudder's second pass: \(again); \(routedAgain)")
        }
        return RudderRun(
            elapsed: finished - start, tunnels: tunnelled - start, routes: finished - tunnelled, writes: writes,
            again: againElapsed, writesAgain: podKernel.writesSent + routeKernel.writesSent - writes)
    }

    /// Fails unless the namespace holds exactly the N tunnels, up, and the N routes, each through
    /// the tunnel to its node, as the kernel reports them.
    private func expectOverlay(in fixture: NetworkNamespaceFixture, after step: String) throws {
        let netlink = try Rtnetlink(namespace: fixture.namespace)
        let tunnels = try netlink.links().filter { OverlayTunnel.isOwned(name: $0.name, kind: $0.kind) }
        let byIndex = Dictionary(uniqueKeysWithValues: tunnels.map { ($0.index, $0) })
        let up = tunnels.count(where: { $0.isUp && $0.mtu == Self.mtu && $0.tunnel?.local == Self.local })
        let routes = try netlink.routes(family: .ipv4, protocolNumber: PodRoutingSettings.rudderProtocol)
        let throughTheirTunnel = routes.count(where: { route in
            guard route.nextHops.count == 1, let hop = route.nextHops.first, let tunnel = byIndex[hop.linkIndex]
            else { return false }
            return tunnel.tunnel?.remote == hop.gateway
        })
        guard tunnels.count == nodes, up == nodes, routes.count == nodes, throughTheirTunnel == nodes else {
            throw BenchmarkFailure(
                "after \(step) the namespace holds \(tunnels.count) tunnels (\(up) up from \(Self.local) "
                    + "with MTU \(Self.mtu)) and \(routes.count) routes (\(throughTheirTunnel) through their "
                    + "node's tunnel); expected \(nodes)")
        }
    }

    /// Runs `body` in a network namespace of its own, then deletes the namespace.
    ///
    /// The kernel dismantles a deleted namespace's links in the background, where it would overlap
    /// the next run: the tunnels are deleted one by one first, untimed, while the benchmark waits.
    private static func inFreshNamespace<T: Sendable>(
        _ body: (NetworkNamespaceFixture) async throws -> T
    ) async throws -> T {
        let fixture = try NetworkNamespaceFixture(prefix: "rudder-bench")
        let result: T
        do {
            try fixture.addVethPair("underlay", peer: "peer")
            try fixture.addAddress("\(local)/12", to: "underlay")
            result = try await body(fixture)
            let netlink = try Rtnetlink(namespace: fixture.namespace)
            for link in try netlink.links() where OverlayTunnel.isOwned(name: link.name, kind: link.kind) {
                try netlink.deleteLink(named: link.name)
            }
        } catch {
            try? fixture.remove()
            throw error
        }
        try fixture.remove()
        return result
    }
}

/// What one of Rudder's runs did.
private struct RudderRun: Sendable {
    var elapsed: Duration
    var tunnels: Duration
    var routes: Duration
    var writes: Int
    var again: Duration
    var writesAgain: Int
}
