import ContainerMetrics
import Kubernetes
import KubernetesModel
import Synchronization

/// Pod and container names for this node's containers, from the Pod informer.
///
/// A cgroup path carries only the pod's UID and the container's ID; the names Prometheus users
/// query by come from the Pods on this node. Read at scrape time from the HTTP thread pool and
/// written by the informer's consumer, so it is locked.
public final class ContainerNames: Sendable {
    private struct PodEntry {
        var namespace: String
        var name: String
        /// Container ID (without the runtime's scheme) → name and the full schemed ID.
        var containers: [String: (name: String, id: String)]
    }

    private let pods = Mutex<[String: PodEntry]>([:])

    /// No names yet: every container is named from its cgroup path.
    public init() {}

    /// Records a Pod as it is now (nil: deleted).
    public func set(_ pod: Pod?, uid: String) {
        guard let pod else {
            _ = pods.withLock { $0.removeValue(forKey: uid) }
            return
        }
        var containers: [String: (name: String, id: String)] = [:]
        for status in pod.status.containerStatuses {
            guard let id = status.containerID, let bare = id.split(separator: "/").last, !bare.isEmpty else { continue }
            containers[String(bare)] = (status.name, id)
        }
        let entry = PodEntry(
            namespace: pod.metadata.namespace ?? "default", name: pod.metadata.name, containers: containers)
        pods.withLock { $0[uid] = entry }
    }

    /// How many Pods are known.
    public var count: Int { pods.withLock { $0.count } }

    /// The labels of a container: its Pod's names where the Pod is known, else the path's.
    public func labels(for container: DiscoveredContainer) -> ContainerLabels {
        var labels = ContainerLabels(pathOnly: container)
        guard let uid = container.podUID, let pod = pods.withLock({ $0[uid] }) else { return labels }
        labels.namespace = pod.namespace
        labels.pod = pod.name
        if let id = container.containerID, let known = pod.containers[id] {
            labels.container = known.name
            labels.containerID = known.id
        }
        return labels
    }
}
