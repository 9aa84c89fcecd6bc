import Addresses
import Logging
import PodRouting

/// The pod routes the node wants, from two sources, kept in the kernel by one route reconciler.
///
/// The Nodes give each other node's pod CIDRs via its address; BGP gives what peers advertise
/// (the ToR's routes, nodes of other clusters). A prefix both give is routed as the Nodes say:
/// the API is the source of truth for the cluster's own pod CIDRs. The reconciler is made on
/// the first routes, once the Nodes have synced, and its readiness reported to `onStarted`.
actor PodRouteSources {
    private var fromNodes: [PodRoute]?
    /// The prefixes the Nodes route: learned routes for them are kept but not applied.
    private var covered: Set<IPPrefix> = []
    private var learned: [IPPrefix: PodRoute] = [:]
    /// What the reconciler was last given, by prefix.
    private var applied: [IPPrefix: PodRoute]?
    private var reconciler: RouteReconciler?
    private var runner: Task<Void, Never>?
    private let makeReconciler: @Sendable () throws -> RouteReconciler
    private let start: @Sendable (RouteReconciler) -> Task<Void, Never>
    private let logger: Logger

    /// Sources over a reconciler made by `makeReconciler`, whose loop `start` runs.
    init(
        makeReconciler: @escaping @Sendable () throws -> RouteReconciler,
        start: @escaping @Sendable (RouteReconciler) -> Task<Void, Never>, logger: Logger
    ) {
        self.makeReconciler = makeReconciler
        self.start = start
        self.logger = logger
    }

    deinit {
        runner?.cancel()
    }

    /// Stops the reconciler's loop.
    func stop() {
        runner?.cancel()
    }

    /// The routes the Nodes give, after a change: the whole set is planned again (Node changes are
    /// rare, and they decide which learned routes apply).
    func setNodeRoutes(_ routes: [PodRoute]) async throws {
        fromNodes = routes
        covered = Set(routes.map(\.prefix))
        let wanted = self.wanted
        guard wanted != applied else { return }
        applied = wanted
        let sorted = wanted.values.sorted { $0.prefix < $1.prefix }
        if let reconciler {
            do {
                try await reconciler.apply(sorted)
            } catch {
                logger.error("pod routes not applied", metadata: ["error": "\(error)"])
            }
        } else {
            let created = try makeReconciler()
            await created.want(sorted)
            reconciler = created
            runner = start(created)
        }
    }

    /// Replaces learned routes (nil: withdrawn), a batch of best-route changes at once: only the
    /// prefixes in the batch are planned, so a full table costs its size once, not once per batch.
    /// A change the kernel refuses is logged; the reconciler's resync repairs it.
    func setLearned(_ changes: [(prefix: IPPrefix, route: PodRoute?)]) async {
        var effective: [(prefix: IPPrefix, route: PodRoute?)] = []
        for change in changes {
            learned[change.prefix] = change.route
            // The API is the source of truth for the cluster's own pod CIDRs.
            guard !covered.contains(change.prefix), applied?[change.prefix] != change.route else { continue }
            effective.append(change)
        }
        // Nothing reaches the kernel before the Nodes have listed: a learned route alone must not
        // make the reconciler delete the cluster's routes it has not heard of yet.
        guard !effective.isEmpty, let reconciler else { return }
        for change in effective { applied?[change.prefix] = change.route }
        do {
            try await reconciler.update(effective)
        } catch {
            logger.error("learned routes not applied", metadata: ["routes": "\(effective.count)", "error": "\(error)"])
        }
    }

    /// What is wanted now: the Nodes' routes, and learned routes for other prefixes.
    var wanted: [IPPrefix: PodRoute] {
        var result = learned.filter { !covered.contains($0.key) }
        var seen = Set<IPPrefix>()
        // The first Node route for a prefix wins, as the first route for a kernel key always has.
        for route in fromNodes ?? [] where seen.insert(route.prefix).inserted { result[route.prefix] = route }
        return result
    }
}
