/// A pod's Kubernetes quality-of-service class, read from where kubelet put the pod's cgroup.
public enum ContainerQoSClass: String, Sendable, Hashable, CaseIterable {
    /// Pod cgroup directly under kubepods: requests equal limits for every container.
    case guaranteed
    /// Pod cgroup under kubepods/burstable (or kubepods-burstable.slice).
    case burstable
    /// Pod cgroup under kubepods/besteffort (or kubepods-besteffort.slice).
    case besteffort = "besteffort"
}
