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
    private var learned: [IPPrefix: PodRoute] = [:]
    private var applied: [PodRoute]?
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

    /// The routes the Nodes give, after a change.
    func setNodeRoutes(_ routes: [PodRoute]) async throws {
        fromNodes = routes
        try await apply()
    }

    /// Replaces learned routes (nil: withdrawn), a whole batch of best-route changes at once:
    /// a full table arrives in batches of thousands, and each apply sorts and plans every route.
    func setLearned(_ changes: [(prefix: IPPrefix, route: PodRoute?)]) async throws {
        guard !changes.isEmpty else { return }
        for change in changes { learned[change.prefix] = change.route }
        try await apply()
    }

    /// What is wanted now: the Nodes' routes, and learned routes for other prefixes.
    var wanted: [PodRoute] {
        let own = fromNodes ?? []
        let covered = Set(own.map(\.prefix))
        return (own + learned.values.filter { !covered.contains($0.prefix) }).sorted { "\($0.prefix)" < "\($1.prefix)" }
    }

    private func apply() async throws {
        // Nothing reaches the kernel before the Nodes have listed: a learned route alone must not
        // make the reconciler delete the cluster's routes it has not heard of yet.
        guard fromNodes != nil else { return }
        let wanted = self.wanted
        guard wanted != applied else { return }
        applied = wanted
        if let reconciler {
            do {
                try await reconciler.apply(wanted)
            } catch {
                logger.error("pod routes not applied", metadata: ["error": "\(error)"])
            }
        } else {
            let created = try makeReconciler()
            await created.want(wanted)
            reconciler = created
            runner = start(created)
        }
    }
}
