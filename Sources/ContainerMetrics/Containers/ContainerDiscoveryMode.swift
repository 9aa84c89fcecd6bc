/// Which cgroups `ContainerDiscovery` reports as containers.
public enum ContainerDiscoveryMode: Sendable, Hashable {
    /// Kubelet's layouts (see `ContainerCgroupName`): a `kubepods` or `kubepods.slice` cgroup at
    /// one of `searchPaths` or directly below it, and the QoS, pod and container cgroups under it.
    case kubernetes(searchPaths: [String])
    /// Every leaf cgroup below `parent` (for bare systemd services and tests), named by its path.
    case plain(parent: String)

    /// Kubelet's layouts at the top of the memory hierarchy, where kubelet puts them by default.
    public static let kubelet = ContainerDiscoveryMode.kubernetes(searchPaths: ["/"])
}
