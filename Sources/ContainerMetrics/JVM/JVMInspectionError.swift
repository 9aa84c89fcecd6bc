import HSPerfData

#if canImport(Glibc)
    import Glibc
#endif

/// A problem with one JVM of a container; the scan goes on with the others.
public struct JVMInspectionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Problem: Equatable, Sendable {
        /// A `/proc` file of the process could not be read for a reason other than its exit.
        case procUnreadable(file: String, errno: Int32)
        /// The hsperfdata file is unreadable or corrupt; figures fall back to the command line.
        case perfData(HSPerfDataError)
        /// The JVM still maps its hsperfdata file but the file was deleted (a /tmp cleaner).
        case perfDataDeleted(path: String)
    }

    /// The process (host PID).
    public var pid: Int32
    /// What went wrong.
    public var problem: Problem

    /// A problem with process `pid`.
    public init(pid: Int32, problem: Problem) {
        self.pid = pid
        self.problem = problem
    }

    /// One line naming the process and the problem.
    public var description: String {
        switch problem {
        case .procUnreadable(let file, let errno):
            return "JVM pid \(pid): cannot read \(file): \(String(cString: strerror(errno)))"
        case .perfData(let error):
            return "JVM pid \(pid): \(error)"
        case .perfDataDeleted(let path):
            return "JVM pid \(pid): hsperfdata file \(path) was deleted while the JVM runs"
        }
    }
}
