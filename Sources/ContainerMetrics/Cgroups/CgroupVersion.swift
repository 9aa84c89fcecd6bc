/// The cgroup interface a controller is read through; it decides file names and formats.
public enum CgroupVersion: Sendable, Hashable, CustomStringConvertible {
    /// cgroup v1: one hierarchy per controller, memory files such as memory.usage_in_bytes.
    case v1
    /// cgroup v2: the unified hierarchy, memory files such as memory.current.
    case v2

    /// "v1" or "v2".
    public var description: String {
        switch self {
        case .v1: "v1"
        case .v2: "v2"
        }
    }
}
