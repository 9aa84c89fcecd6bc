/// The lifecycle phase of a pod (`status.phase`).
public enum PodPhase: String, KubernetesEnum {
    /// Accepted, not all containers running yet.
    case pending = "Pending"
    /// Bound to a node, at least one container running.
    case running = "Running"
    /// All containers exited successfully.
    case succeeded = "Succeeded"
    /// All containers exited, at least one failed.
    case failed = "Failed"
    /// The node stopped reporting.
    case unknown = "Unknown"
}
