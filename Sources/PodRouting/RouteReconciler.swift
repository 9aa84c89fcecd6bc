import Addresses
import Logging
import Netlink

#if canImport(Glibc)
    import Glibc
#endif

/// Keeps the kernel's pod routes equal to the desired set, and repairs drift as it happens.
///
/// A full resync (read the kernel, plan everything) runs at start, after a monitor overrun,
/// after link or address changes, and on a long period. Everything else is incremental: a
/// kernel event about one route re-plans that route alone, from the reconciler's own view of
/// what the kernel holds, with no dump.
public actor RouteReconciler {
    /// What one reconciliation did.
    public struct Report: Sendable, CustomStringConvertible {
        /// Operations the kernel accepted.
        public var applied: [RouteOperation] = []
        /// Operations the kernel refused, with why.
        public var failures: [NetlinkError] = []
        /// Desired routes left alone because a route Rudder does not own holds their key.
        public var conflicts: [Route] = []
        /// Desired routes that could not be resolved to a next hop.
        public var unresolved: [RouteResolver.Problem] = []

        public var description: String {
            "\(applied.count) applied, \(failures.count) failed, \(conflicts.count) conflicts, \(unresolved.count) unresolved"
        }
    }

    /// What started a pass, for whoever counts them.
    public enum Pass: Sendable {
        /// A full sync: start-up, the period, a monitor overrun, a link or address change.
        case sync
        /// A change of the wanted routes.
        case change
        /// A repair of one route after a kernel event said it drifted.
        case repair
    }

    private let kernel: any RouteKernel
    /// Hears every pass's report (metrics).
    private let observer: (@Sendable (Report, Pass) -> Void)?
    /// Where and how routes are written, and which routes count as Rudder's.
    public nonisolated let settings: PodRoutingSettings
    private let logger: Logger

    private var wanted: [IPPrefix: PodRoute] = [:]
    private var desired: [RouteKey: Route] = [:]
    private var owned: [RouteKey: Route] = [:]
    private var foreign: [RouteKey: Route] = [:]
    private var addresses: [InterfaceAddress] = []
    private var needsUnderlay = false
    /// Whether a full sync has completed since start.
    public private(set) var isSynced = false

    /// A reconciler over `kernel`; it does nothing until `apply` or `run`.
    public init(
        kernel: any RouteKernel, settings: PodRoutingSettings = PodRoutingSettings(), logger: Logger? = nil,
        observer: (@Sendable (Report, Pass) -> Void)? = nil
    ) {
        self.observer = observer
        self.kernel = kernel
        self.settings = settings
        self.logger = logger ?? Logger(label: "rudder.podrouting")
    }

    /// Replaces the desired set; plans against the reconciler's view, or a fresh read before the first sync.
    @discardableResult
    public func apply(_ routes: [PodRoute]) async throws -> Report {
        want(routes)
        guard isSynced else { return try await resync() }
        var report = Report()
        resolveDesired(into: &report)
        let plan = RoutePlanner.plan(
            desired: Array(desired.values), observed: Array(owned.values) + Array(foreign.values), settings: settings)
        report.conflicts = plan.conflicts
        try await execute(plan.operations, into: &report)
        observer?(report, .change)
        return report
    }

    /// Sets the desired set without touching the kernel; `run` applies it with its first sync.
    public func want(_ routes: [PodRoute]) {
        // The first route for a prefix wins, as the first route for a kernel key always has.
        wanted = Dictionary(routes.map { ($0.prefix, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Changes the wanted routes of some prefixes only (nil: no longer wanted), and resolves and
    /// plans just those, against the reconciler's view of the kernel: a batch of learned routes
    /// costs its own size, not the whole table's. Before the first sync it is a full sync.
    @discardableResult
    public func update(_ changes: [(prefix: IPPrefix, route: PodRoute?)]) async throws -> Report {
        for change in changes { wanted[change.prefix] = change.route }
        guard isSynced else { return try await resync() }
        var report = Report()
        let resolver = RouteResolver(addresses: addresses, underlay: Array(foreign.values), settings: settings)
        var keys: [RouteKey] = []
        for change in changes {
            let metric = settings.metric ?? Route.defaultMetric(for: change.prefix.family)
            let key = RouteKey(table: settings.table, destination: change.prefix, metric: metric)
            desired[key] = nil
            keys.append(key)
            guard let route = change.route else { continue }
            switch resolver.resolveRoute(route) {
            case .success(let resolved):
                desired[resolved.key] = resolved
                needsUnderlay = needsUnderlay || resolved.nextHops.contains { !$0.onlink }
            case .failure(let problem):
                report.unresolved.append(problem)
                logger.warning(
                    "pod route not resolved", metadata: ["route": "\(problem.route)", "reason": "\(problem.reason)"])
            }
        }
        var operations: [RouteOperation] = []
        for key in keys {
            if let operation = RoutePlanner.step(desired: desired[key], owned: owned[key], foreign: foreign[key]) {
                operations.append(operation)
            } else if let wantedRoute = desired[key], owned[key] == nil, foreign[key] != nil {
                report.conflicts.append(wantedRoute)
            }
        }
        try await execute(operations, into: &report)
        observer?(report, .change)
        return report
    }

    /// Reads the kernel and plans everything: the start-up sync and the safety net.
    @discardableResult
    public func resync() async throws -> Report {
        let observed = try await kernel.routes()
        addresses = try await kernel.addresses()
        owned = [:]
        foreign = [:]
        for route in observed {
            if settings.owns(route) {
                owned[route.key] = route
            } else {
                foreign[route.key] = route
            }
        }
        var report = Report()
        resolveDesired(into: &report)
        let plan = RoutePlanner.plan(desired: Array(desired.values), observed: observed, settings: settings)
        report.conflicts = plan.conflicts
        try await execute(plan.operations, into: &report)
        isSynced = true
        for conflict in plan.conflicts {
            logger.warning(
                "route key held by a route Rudder does not own; leaving it alone",
                metadata: ["route": "\(conflict.key)", "holder": "\(foreign[conflict.key].map { "\($0)" } ?? "?")"])
        }
        logger.info("pod routes synced", metadata: ["report": "\(report)", "owned": "\(owned.count)"])
        observer?(report, .sync)
        return report
    }

    /// The routes Rudder holds in the kernel, as last seen.
    public var ownedRoutes: [Route] { owned.values.sorted { $0.key < $1.key } }

    /// Follows kernel events until cancelled: repairs drift and resyncs every `resyncInterval`.
    ///
    /// `onSynced` is called with the first full sync's report once it is applied (readiness).
    public func run(resyncInterval: Duration, onSynced: (@Sendable (Report) -> Void)? = nil) async throws {
        let events = try kernel.events()
        let first = try await resync()
        onSynced?(first)
        let (inputs, continuation) = AsyncStream<Input>.makeStream()
        let forward = Task {
            for await event in events { continuation.yield(.event(event)) }
            continuation.finish()
        }
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: resyncInterval)
                continuation.yield(.tick)
            }
        }
        defer {
            forward.cancel()
            ticker.cancel()
        }
        for await input in inputs {
            switch input {
            case .tick:
                await resyncLogged(reason: "period")
            case .event(let event):
                await handle(event)
            }
        }
    }

    private enum Input: Sendable {
        case event(NetlinkEvent)
        case tick
    }

    /// Reacts to one kernel event.
    public func handle(_ event: NetlinkEvent) async {
        switch event {
        case .routeAdded(let route):
            if settings.owns(route) {
                owned[route.key] = route
            } else {
                foreign[route.key] = route
                if let ours = owned[route.key], ours.table == route.table {
                    // Someone replaced Rudder's route in place: theirs now holds the key.
                    owned[route.key] = nil
                    logger.warning("a route Rudder does not own replaced a pod route", metadata: ["route": "\(route)"])
                }
                if needsUnderlay { await reresolve() }
            }
            await repair(route.key)
        case .routeDeleted(let route):
            if settings.owns(route) {
                if owned[route.key] != nil { owned[route.key] = nil }
            } else {
                foreign[route.key] = nil
                if needsUnderlay { await reresolve() }
            }
            await repair(route.key)
        case .overrun:
            await resyncLogged(reason: "monitor overrun")
        case .linkChanged, .linkDeleted, .addressAdded, .addressDeleted:
            // Link and address changes move connected subnets, and the kernel flushes IPv4
            // routes of a vanished link without per-route events: re-read everything.
            await resyncLogged(reason: "link or address change")
        }
    }

    private func repair(_ key: RouteKey) async {
        guard let operation = RoutePlanner.step(desired: desired[key], owned: owned[key], foreign: foreign[key]) else {
            return
        }
        logger.info("repairing pod route", metadata: ["operation": "\(operation)"])
        var report = Report()
        do {
            try await execute([operation], into: &report)
        } catch {
            logger.error("repair failed", metadata: ["operation": "\(operation)", "error": "\(error)"])
        }
        observer?(report, .repair)
    }

    private func reresolve() async {
        var report = Report()
        let before = desired
        resolveDesired(into: &report)
        guard before != desired else { return }
        let plan = RoutePlanner.plan(
            desired: Array(desired.values), observed: Array(owned.values) + Array(foreign.values), settings: settings)
        do {
            try await execute(plan.operations, into: &report)
        } catch {
            logger.error("re-resolving pod routes failed", metadata: ["error": "\(error)"])
        }
    }

    private func resyncLogged(reason: String) async {
        do {
            let report = try await resync()
            logger.debug("resync", metadata: ["reason": "\(reason)", "report": "\(report)"])
        } catch {
            logger.error("resync failed", metadata: ["reason": "\(reason)", "error": "\(error)"])
        }
    }

    private func resolveDesired(into report: inout Report) {
        let resolver = RouteResolver(addresses: addresses, underlay: Array(foreign.values), settings: settings)
        let (routes, problems) = resolver.resolve(wanted.values.sorted { $0.prefix < $1.prefix })
        report.unresolved = problems
        for problem in problems {
            logger.warning(
                "pod route not resolved", metadata: ["route": "\(problem.route)", "reason": "\(problem.reason)"])
        }
        desired = Dictionary(routes.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        needsUnderlay = routes.contains { $0.nextHops.contains { !$0.onlink } }
    }

    private func execute(_ operations: [RouteOperation], into report: inout Report) async throws {
        guard !operations.isEmpty else { return }
        let result = try await kernel.apply(operations)
        for (index, operation) in operations.enumerated() {
            if let failure = result.failures[index] {
                if case .delete(let route) = operation, failure.errno == ESRCH {
                    // Already gone: the kernel flushes a link's routes with the link (an overlay
                    // tunnel removed with its node) without a message for each.
                    owned[route.key] = nil
                    continue
                }
                report.failures.append(failure)
                logger.error("route operation failed", metadata: ["error": "\(failure)"])
                continue
            }
            report.applied.append(operation)
            switch operation {
            case .add(let route), .replace(let route): owned[route.key] = route
            case .delete(let route): owned[route.key] = nil
            }
        }
        if result.reportsLost {
            logger.warning("kernel dropped error reports; resyncing")
            isSynced = false
        }
    }
}
