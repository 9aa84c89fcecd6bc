import Kubernetes
import KubernetesModel

/// The Nodes the agent knows, and a way to wait for the first full list of them.
actor NodeDirectory {
    private(set) var nodes: [String: Node] = [:]
    private(set) var synced = false
    private var waiting: [CheckedContinuation<Void, Never>] = []
    /// Signals every change to any Node; readers look up what they follow.
    nonisolated let changed = ChangeSignal()

    /// Records a Node as it is now (nil: deleted).
    func set(_ node: Node?, name: String) {
        nodes[name] = node
        changed.signal()
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
