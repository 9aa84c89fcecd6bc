/// How a host mounts its cgroups, as systemd calls the three setups.
public enum CgroupMode: Sendable, Hashable, CustomStringConvertible {
    /// Only v1 hierarchies (`/sys/fs/cgroup/memory`, …), no cgroup2 mount.
    case legacy
    /// v1 hierarchies for the controllers plus a cgroup2 mount without them (`/sys/fs/cgroup/unified`).
    case hybrid
    /// Only the cgroup2 hierarchy, which holds the memory controller.
    case unified

    /// "legacy (v1)", "hybrid" or "unified (v2)".
    public var description: String {
        switch self {
        case .legacy: "legacy (v1)"
        case .hybrid: "hybrid"
        case .unified: "unified (v2)"
        }
    }
}
