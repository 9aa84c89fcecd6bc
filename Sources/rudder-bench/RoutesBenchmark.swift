import Addresses
import ArgumentParser
import Foundation
import Logging
import Netlink
import PodRouting
import RudderLab

/// Installs N pod-CIDR routes from empty with `ip -batch` and with Rudder, in a fresh namespace.
struct RoutesBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routes", abstract: "Install pod-CIDR routes from empty: Rudder vs `ip -batch`.")

    @Option(help: "How many routes to install.") var count = 10_000
    @Option(help: "How many runs of each tool; the median is reported.") var runs = 3

    func run() async throws {
        guard count > 0, count <= 60_000 else { throw ValidationError("--count must be 1...60000") }
        let fixture = try NetworkNamespaceFixture(prefix: "rudder-bench")
        defer { try? fixture.remove() }
        try fixture.addVethPair("rb0", peer: "rb1")
        try fixture.addAddress("10.0.0.1/16", to: "rb0")
        let settings = PodRoutingSettings()
        let routes = Self.podRoutes(count)
        let batchFile = FileManager.default.temporaryDirectory.appendingPathComponent("rudder-bench-\(getpid()).batch")
        defer { try? FileManager.default.removeItem(at: batchFile) }
        let lines = routes.map {
            "route add \($0.prefix) via \($0.nextHops[0]) dev rb0 onlink proto \(settings.protocolNumber)"
        }
        try (lines.joined(separator: "\n") + "\n").write(to: batchFile, atomically: true, encoding: .utf8)

        var referenceTimes: [Duration] = []
        var rudderTimes: [Duration] = []
        var rudderWrites = 0
        let clock = ContinuousClock()
        for run in 1...runs {
            let reference = try clock.measure { try fixture.ip("-batch", batchFile.path) }
            try expectInstalled(fixture, settings)
            try fixture.ip("route", "flush", "proto", "\(settings.protocolNumber)")
            referenceTimes.append(reference)

            let kernel = try NetlinkRouteKernel(namespace: fixture.namespace)
            let reconciler = RouteReconciler(
                kernel: kernel, settings: settings, logger: Self.quiet)
            let start = clock.now
            let report = try await reconciler.apply(routes)
            let elapsed = clock.now - start
            guard report.failures.isEmpty, report.applied.count == count else {
                throw ValidationError("Rudder run \(run): \(report)")
            }
            try expectInstalled(fixture, settings)
            try fixture.ip("route", "flush", "proto", "\(settings.protocolNumber)")
            rudderTimes.append(elapsed)
            rudderWrites = kernel.writesSent
            print("run \(run): ip -batch \(Self.format(reference)), rudder \(Self.format(elapsed))")
        }
        try await repairLatency(routes, settings: settings, fixture: fixture, clock: clock)
        try await breakdown(routes, settings: settings, fixture: fixture, clock: clock)
        let referenceMedian = Self.median(referenceTimes)
        let rudderMedian = Self.median(rudderTimes)
        print("routes: \(count), runs: \(runs) (medians below)")
        print("reference (ip -batch, one request per reply): \(Self.format(referenceMedian))")
        print(
            "rudder (read kernel, resolve, plan, pipelined apply; \(rudderWrites) writes): \(Self.format(rudderMedian))"
        )
        print("ratio: \(String(format: "%.3f", rudderMedian / referenceMedian))")
    }

    /// How long a route deleted behind Rudder's back stays missing while Rudder follows events.
    private func repairLatency(
        _ routes: [PodRoute], settings: PodRoutingSettings, fixture: NetworkNamespaceFixture, clock: ContinuousClock
    ) async throws {
        let reconciler = RouteReconciler(
            kernel: try NetlinkRouteKernel(namespace: fixture.namespace), settings: settings, logger: Self.quiet)
        try await reconciler.apply(routes)
        let (synced, syncedContinuation) = AsyncStream<Void>.makeStream()
        let running = Task {
            try await reconciler.run(resyncInterval: .seconds(3600)) { _ in syncedContinuation.yield() }
        }
        defer { running.cancel() }
        for await _ in synced { break }
        let netlink = try Rtnetlink(namespace: fixture.namespace)
        let owned = try netlink.routes(protocolNumber: settings.protocolNumber)
        // The kernel's own announcement of the re-added route marks the end of the gap.
        let events = try NetlinkMonitor.events(namespace: fixture.namespace, groups: [.ipv4Route])
        var iterator = events.makeAsyncIterator()
        var latencies: [Duration] = []
        for route in owned.shuffled().prefix(20) {
            let deleted = clock.now
            try netlink.delete(route)
            waiting: while let event = await iterator.next() {
                if case .routeAdded(let added) = event, added.key == route.key { break waiting }
                guard clock.now - deleted < .seconds(5) else {
                    throw ValidationError("route \(route) was not repaired")
                }
            }
            latencies.append(clock.now - deleted)
        }
        running.cancel()
        try fixture.ip("route", "flush", "proto", "\(settings.protocolNumber)")
        print(
            "repair after a delete behind Rudder's back (20 deletes among \(owned.count) routes): "
                + "median \(Self.format(Self.median(latencies))), max \(Self.format(latencies.max()!)) (delete to the kernel's announcement of the re-added route)"
        )
    }

    /// Where Rudder's time goes: planning in memory, encoding, and the kernel's share.
    private func breakdown(
        _ routes: [PodRoute], settings: PodRoutingSettings, fixture: NetworkNamespaceFixture, clock: ContinuousClock
    ) async throws {
        let netlink = try Rtnetlink(namespace: fixture.namespace)
        let addresses = try netlink.addresses()
        var resolved: [Route] = []
        let planning = clock.measure {
            resolved = RouteResolver(addresses: addresses, underlay: [], settings: settings).resolve(routes).routes
            _ = RoutePlanner.plan(desired: resolved, observed: [], settings: settings)
        }
        let encoding = clock.measure { _ = resolved.map { RouteMessage.encode(.add($0)) } }
        let batch = clock.measure { _ = netlink.apply(resolved.map(RouteOperation.add)) }
        try fixture.ip("route", "flush", "proto", "\(settings.protocolNumber)")
        let memory = InMemoryRouteKernel(addresses: addresses)
        let start = clock.now
        _ = try await RouteReconciler(kernel: memory, settings: settings, logger: Self.quiet).apply(routes)
        let inMemory = clock.now - start
        print("breakdown: reconciler against the in-memory kernel \(Self.format(inMemory))")
        print(
            "breakdown: resolve+plan \(Self.format(planning)), encode \(Self.format(encoding)), "
                + "encode+send+kernel \(Self.format(batch))")
    }

    private func expectInstalled(_ fixture: NetworkNamespaceFixture, _ settings: PodRoutingSettings) throws {
        let installed = try fixture.ip("route", "show", "proto", "\(settings.protocolNumber)")
            .split(separator: "\n").count
        guard installed == count else {
            throw ValidationError("expected \(count) routes in the kernel, found \(installed)")
        }
    }

    static func podRoutes(_ count: Int) -> [PodRoute] {
        (0..<count).map { index in
            let prefix = IPPrefix(address: .v4(UInt32(10 << 24 | 128 << 16) + UInt32(index) << 8), length: 24)
            return PodRoute(prefix: prefix, nextHops: [.v4(UInt32(10 << 24) + UInt32(2 + index % 250))])
        }
    }

    static let quiet = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }

    static func median(_ values: [Duration]) -> Duration { values.sorted()[values.count / 2] }

    static func format(_ duration: Duration) -> String {
        String(
            format: "%.1f ms",
            Double(duration.components.attoseconds) / 1e15 + Double(duration.components.seconds) * 1e3)
    }
}
