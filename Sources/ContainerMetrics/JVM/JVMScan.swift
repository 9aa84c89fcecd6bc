/// The JVMs found among a container's processes, the problems met, and the container's headroom.
public struct JVMScan: Equatable, Sendable {
    /// One report per JVM, in the order of the PIDs given.
    public var jvms: [JVMReport]
    /// Problems with single JVMs (unreadable or corrupt perf data, unreadable /proc files).
    /// Processes that exited during the scan are not problems and are left out silently.
    public var problems: [JVMInspectionError]
    /// The headroom between the container's limit and its JVMs; nil without a limit or a JVM.
    public var headroom: Headroom?

    /// A scan's outcome.
    public init(jvms: [JVMReport], problems: [JVMInspectionError], headroom: Headroom?) {
        self.jvms = jvms
        self.problems = problems
        self.headroom = headroom
    }
}
