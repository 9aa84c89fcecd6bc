/// What a discovered cgroup stands for.
public enum ContainerCgroupKind: String, Sendable, Hashable, CaseIterable {
    /// A pod-level cgroup (`pod<uid>` or `kubepods-…-pod<uid>.slice`): the sum of its containers.
    case pod
    /// An application container of a pod.
    case container
    /// The pod's sandbox (the pause container, or CRI-O's sandbox cgroup): it has no container name.
    case sandbox
    /// A leaf under a configured parent when discovering plain, non-Kubernetes cgroups.
    case plain
}
