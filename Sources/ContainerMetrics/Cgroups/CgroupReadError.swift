#if canImport(Glibc)
    import Glibc
#endif

/// Why one cgroup, or one figure of it, could not be read; every case names the path.
public enum CgroupReadError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The cgroup went away (ENOENT or ENODEV), as when a container stops between listing and reading.
    case vanished(path: String)
    /// The file exists but reading it failed with `errno`.
    case unreadable(path: String, errno: Int32)
    /// The content is not what the kernel writes in that file.
    case malformed(path: String, problem: String)

    /// The file or directory the error is about.
    public var path: String {
        switch self {
        case .vanished(let path), .unreadable(let path, _), .malformed(let path, _): path
        }
    }

    /// One line naming the path and the problem.
    public var description: String {
        switch self {
        case .vanished(let path): "cgroup \(path): vanished while being read"
        case .unreadable(let path, let code): "cgroup \(path): cannot read: \(String(cString: strerror(code)))"
        case .malformed(let path, let problem): "cgroup \(path): malformed: \(problem)"
        }
    }

    /// The error for a failed system call on `path`: ENOENT and ENODEV mean the cgroup is gone.
    static func from(errno code: Int32, path: String) -> CgroupReadError {
        code == ENOENT || code == ENODEV ? .vanished(path: path) : .unreadable(path: path, errno: code)
    }
}
