import KubernetesModel
import Logging
import Synchronization

/// Keeps a local copy of one resource type (optionally one namespace and selector) in step with the API server,
/// and tells consumers what changed — the LIST-then-WATCH loop of client-go's reflector and informer.
///
/// Design: a final class whose state (cache, resource version, subscribers) sits behind one mutex, plus one task
/// that runs the loop while at least one consumer listens. Changing the cache and handing the resulting events to
/// every consumer happen in the same critical section, so `cached()` is never behind an event a consumer has
/// received, and a consumer that subscribes late gets the cache as `.added` events followed by live ones, with
/// nothing lost or doubled in between. Event streams are unbounded: the API server cannot be slowed down anyway,
/// and a consumer that falls behind catches up without a re-list.
///
/// The loop:
/// 1. LIST in pages of `pageSize` (limit/continue). The result replaces the cache; only real differences are
///    emitted (see `InformerStore`), then `.synced`. A continue token that expired (410) restarts the LIST.
/// 2. WATCH from the list's resource version with bookmarks and a random `timeoutSeconds` in `watchTimeout`.
///    Every event (bookmarks too) advances `resourceVersion`.
/// 3. When a watch ends, normally or not, WATCH again from the last resource version — no re-list. Only a 410
///    (an ERROR event with code 410, or HTTP 410) means the version is too old, and goes back to 1.
/// 4. Failures wait a jittered exponential `backoff`; it resets once a watch proves healthy (it delivered an event,
///    or stayed open for `backoff.resetAfter`), so a server that is down is never polled in a busy loop.
///
/// The loop starts with the first `events()` stream and stops, with its HTTP transfers, when the last one ends
/// (its consumer's task is cancelled or stops iterating). The cache survives; a later `events()` starts over with
/// a LIST, which emits only what changed in between.
public final class Informer<R: KubernetesResource>: Sendable {
    /// The namespace watched, nil for all.
    public let namespace: String?
    /// The label selector, if any.
    public let labelSelector: String?
    /// The field selector, if any (`spec.nodeName=NAME` for this node's pods).
    public let fieldSelector: String?
    /// Objects per LIST page; 0 asks for everything at once.
    public let pageSize: Int

    private let client: KubernetesHTTPClient
    private let transform: (@Sendable (R) -> R)?
    /// Called on every sign of a live watch: a completed LIST, and each watch event, bookmarks
    /// included, so a quiet cluster still shows progress (metrics).
    private let onProgress: (@Sendable () -> Void)?
    private let backoffPolicy: Backoff
    private let watchTimeout: ClosedRange<Int>
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var store = InformerStore<R>()
        var resourceVersion: String?
        var hasSynced = false
        var subscribers: [Int: AsyncStream<[InformerEvent<R>]>.Continuation] = [:]
        var nextSubscriber = 0
        var loop: Task<Void, Never>?
        /// Bumped when a loop starts, so that a cancelled loop still finishing cannot touch the state.
        var generation = 0
    }

    /// An informer; nothing happens until `events()` is called.
    ///
    /// `backoff` paces reconnections; `watchTimeout` is the range `timeoutSeconds` is drawn from for each watch.
    /// `transform`, like client-go's `SetTransform`, trims each object before it is cached and delivered: a
    /// consumer that needs a few fields need not hold the rest (annotations such as
    /// `kubectl.kubernetes.io/last-applied-configuration` can be larger than the object). It must keep
    /// `metadata.name`, `namespace` and `resourceVersion`, by which the cache tells changes apart.
    public init(
        client: KubernetesHTTPClient, namespace: String? = nil, labelSelector: String? = nil,
        fieldSelector: String? = nil, pageSize: Int = 500, backoff: Backoff = Backoff(),
        watchTimeout: ClosedRange<Int> = 300...600, transform: (@Sendable (R) -> R)? = nil,
        onProgress: (@Sendable () -> Void)? = nil, logger: Logger
    ) {
        self.onProgress = onProgress
        self.client = client
        self.transform = transform
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.pageSize = max(pageSize, 0)
        self.backoffPolicy = backoff
        self.watchTimeout = max(watchTimeout.lowerBound, 1)...max(watchTimeout.upperBound, 1)
        var logger = logger
        logger[metadataKey: "resource"] = "\(R.plural)"
        self.logger = logger
    }

    /// A stream of changes; the first call starts the informer, and ending the last stream stops it.
    ///
    /// A stream that starts after objects are cached first receives them as `.added`, then `.synced` if the
    /// informer has synced.
    public func events() -> InformerEvents<R> {
        let (stream, continuation) = AsyncStream<[InformerEvent<R>]>.makeStream()
        let id = state.withLock { state in
            let id = state.nextSubscriber
            state.nextSubscriber += 1
            var cached = state.store.objects.keys.sorted().compactMap { key in
                state.store.objects[key].map { InformerEvent<R>.added($0) }
            }
            if state.hasSynced { cached.append(.synced) }
            if !cached.isEmpty { continuation.yield(cached) }
            state.subscribers[id] = continuation
            if state.loop == nil {
                state.generation += 1
                let generation = state.generation
                state.loop = Task { [self] in await run(generation: generation) }
            }
            return id
        }
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(id) }
        return InformerEvents(batches: stream)
    }

    /// All cached objects, in no particular order.
    public func cached() -> [R] {
        state.withLock { Array($0.store.objects.values) }
    }

    /// The cached object with this namespace (nil for cluster-scoped) and name.
    public func cached(namespace: String?, name: String) -> R? {
        state.withLock { $0.store.objects[ObjectKey(namespace: namespace, name: name)] }
    }

    /// The last resource version seen (from a LIST, a watch event or a bookmark).
    public var resourceVersion: String? {
        state.withLock { $0.resourceVersion }
    }

    /// Whether a complete LIST has been delivered at least once.
    public var hasSynced: Bool {
        state.withLock { $0.hasSynced }
    }

    private func unsubscribe(_ id: Int) {
        let loop: Task<Void, Never>? = state.withLock { state in
            state.subscribers[id] = nil
            guard state.subscribers.isEmpty else { return nil }
            defer { state.loop = nil }
            return state.loop
        }
        loop?.cancel()
    }

    // MARK: - The loop

    private func run(generation: Int) async {
        var backoff = backoffPolicy
        var needsList = true
        logger.debug("informer started")
        defer { logger.debug("informer stopped") }
        while !Task.isCancelled {
            var healthy = false
            do {
                if needsList {
                    try await list(generation: generation)
                    needsList = false
                }
                try await watch(generation: generation, healthy: &healthy)
                if healthy {
                    backoff.reset()
                    continue
                }
                logger.debug("watch ended without delivering anything; backing off")
            } catch is CancellationError {
                return
            } catch KubernetesError.gone(let message, _) {
                logger.info(
                    "resource version too old, re-listing",
                    metadata: ["message": "\(message ?? "")", "resourceVersion": "\(resourceVersion ?? "")"])
                needsList = true
                if healthy { backoff.reset() }
                // The first 410 after a healthy period re-lists at once; repeated ones back off like any failure.
                if backoff.failures == 0 {
                    _ = backoff.next()
                    continue
                }
            } catch {
                if healthy { backoff.reset() }
                // A watch that breaks after a healthy run is routine (API server restarts, idle load balancers);
                // failing again before any success is worth a warning.
                let level: Logger.Level = backoff.failures == 0 ? .info : .warning
                logger.log(
                    level: level, "\(needsList ? "list" : "watch") failed, retrying",
                    metadata: ["error": "\(error)", "attempt": "\(backoff.failures + 1)"])
            }
            let delay = backoff.next()
            do {
                try await Task.sleep(for: delay)
            } catch {
                return
            }
        }
    }

    /// LISTs every page and replaces the cache with the result.
    private func list(generation: Int) async throws {
        var items: [R] = []
        var rejected: [RejectedObject] = []
        var continueToken: String?
        var resourceVersion = ""
        var restarted = false
        let started = ContinuousClock.now
        while true {
            let page: ResourceList<R>
            do {
                page = try await client.list(
                    R.self, namespace: namespace, labelSelector: labelSelector, fieldSelector: fieldSelector,
                    limit: pageSize > 0 ? pageSize : nil, continueToken: continueToken)
            } catch KubernetesError.gone where continueToken != nil && !restarted {
                logger.info("continue token expired during the LIST; listing again from the first page")
                restarted = true
                items = []
                rejected = []
                continueToken = nil
                continue
            }
            if let transform {
                items += page.items.map(transform)
            } else {
                items += page.items
            }
            rejected += page.rejected
            continueToken = page.continueToken
            resourceVersion = page.resourceVersion
            if continueToken == nil { break }
        }

        let rejectedKeys = Set(rejected.compactMap(\.key))
        let summary: (changes: Int, total: Int) = try state.withLock { state in
            guard state.generation == generation, state.loop != nil else { throw CancellationError() }
            let changes = state.store.replace(with: items, rejected: rejectedKeys)
            state.resourceVersion = resourceVersion
            state.hasSynced = true
            let events = changes + rejected.map { .rejected($0.error) } + [.synced]
            for continuation in state.subscribers.values { continuation.yield(events) }
            return (changes.count, state.store.objects.count)
        }
        onProgress?()
        for rejection in rejected {
            logger.warning("object rejected", metadata: ["error": "\(rejection.error)"])
        }
        logger.info(
            "listed",
            metadata: [
                "objects": "\(summary.total)", "changes": "\(summary.changes)",
                "rejected": "\(rejected.count)", "resourceVersion": "\(resourceVersion)",
                "seconds": "\(ContinuousClock.now - started)",
            ])
    }

    /// WATCHes from the current resource version until the stream ends; `healthy` tells whether it proved the
    /// connection good (an event arrived, or it stayed open for `backoff.resetAfter`).
    private func watch(generation: Int, healthy: inout Bool) async throws {
        guard let from = resourceVersion else { throw KubernetesError.gone(message: "no resource version", url: "") }
        let timeout = Int.random(in: watchTimeout)
        let started = ContinuousClock.now
        defer {
            if ContinuousClock.now - started >= backoffPolicy.resetAfter { healthy = true }
        }
        let stream = client.watch(
            R.self, namespace: namespace, labelSelector: labelSelector, fieldSelector: fieldSelector,
            resourceVersion: from, timeoutSeconds: timeout)
        logger.debug("watching", metadata: ["resourceVersion": "\(from)", "timeoutSeconds": "\(timeout)"])
        for try await received in stream {
            let event = transform.map { received.map($0) } ?? received
            if case .error(let status) = event {
                throw KubernetesError.from(
                    status: status.code ?? 500, reason: status.reason, message: status.message,
                    url: R.collectionPath(namespace: namespace) + "?watch=true")
            }
            healthy = true
            let rejection: KubernetesError? = try state.withLock { state in
                guard state.generation == generation, state.loop != nil else { throw CancellationError() }
                let changes = state.store.apply(event)
                if let version = event.resourceVersion { state.resourceVersion = version }
                if !changes.isEmpty {
                    for continuation in state.subscribers.values { continuation.yield(changes) }
                }
                if case .rejected(_, let object) = event { return object.error }
                return nil
            }
            if let rejection { logger.warning("object rejected", metadata: ["error": "\(rejection)"]) }
            onProgress?()
        }
        try Task.checkCancellation()
    }
}
