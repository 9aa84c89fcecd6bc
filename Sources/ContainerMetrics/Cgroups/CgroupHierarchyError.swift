/// Why the cgroup hierarchy holding the memory controller could not be found.
public enum CgroupHierarchyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The mount table could not be read.
    case mountTableUnreadable(path: String, reason: String)
    /// A line of the mount table does not have the fields of /proc/PID/mountinfo.
    case malformedMountLine(path: String, line: Int, problem: String)
    /// No v1 memory hierarchy and no cgroup2 mount with the memory controller.
    case noMemoryController(path: String, detail: String)

    /// One line naming the mount table and the problem.
    public var description: String {
        switch self {
        case .mountTableUnreadable(let path, let reason): "cannot read mount table \(path): \(reason)"
        case .malformedMountLine(let path, let line, let problem): "\(path) line \(line): \(problem)"
        case .noMemoryController(let path, let detail): "no cgroup memory controller in \(path): \(detail)"
        }
    }
}
