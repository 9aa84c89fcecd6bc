import Kubernetes

/// The Nodes the agent knows, and a way to wait for the first full list of them.
actor NodeDirectory {
    private(set) var nodes: [String: Node] = [:]
    private(set) var synced = false
    /// Counts changes, so a reader that polls can skip work when nothing changed.
    private(set) var generation = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var watchers: [String: [AsyncStream<Node?>.Continuation]] = [:]
    /// Signals every change to any Node.
    nonisolated let changed = ChangeSignal()

    /// Records a Node as it is now (nil: deleted).
    func set(_ node: Node?, name: String) {
        nodes[name] = node
        generation += 1
        for watcher in watchers[name] ?? [] { watcher.yield(node) }
        changed.signal()
    }

    /// Every later version of one Node (nil: deleted), newest only when the reader lags.
    func updates(of name: String) -> AsyncStream<Node?> {
        let (stream, continuation) = AsyncStream<Node?>.makeStream(bufferingPolicy: .bufferingNewest(1))
        watchers[name, default: []].append(continuation)
        return stream
    }

    /// Marks the first full list as seen and wakes those waiting for it.
    func markSynced() {
        synced = true
        for continuation in waiting { continuation.resume() }
        waiting = []
    }

    /// Returns once the first full list has been seen, or at once when it has.
    func waitForSync() async {
        if synced { return }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// One Node by name.
    func node(named name: String) -> Node? { nodes[name] }
}
