import HSPerfData

/// What one JVM in a container uses and may use.
public struct JVMReport: Equatable, Sendable {
    /// The process ID on the host (as seen by the agent).
    public var pid: Int32
    /// The process ID inside the container's PID namespace (the hsperfdata file's name).
    public var namespacePid: Int32
    /// The executable's file name, such as "java".
    public var launcher: String
    /// The main class or JAR and its arguments, when perf data says.
    public var javaCommand: String?
    /// The JVM options in the order applied: `java.rt.vmArgs`, or rebuilt from the command line
    /// and environment when there is no perf data.
    public var vmArguments: [String]
    /// The hsperfdata file read, as a host path through `/proc/PID/root`; nil without perf data.
    public var perfDataPath: String?
    /// The collector: from perf data, else the flags, else HotSpot's ergonomics.
    public var collector: JVMCollectorKind
    /// The maximum heap size in bytes.
    public var heapCeiling: UInt64
    /// Where `heapCeiling` came from.
    public var heapCeilingSource: JVMHeapCeilingSource
    /// Heap use and commitment (perf data only), with `heapCeiling` as `max`.
    public var heap: JVMMemoryPool?
    /// Metaspace (perf data only); `max` is `-XX:MaxMetaspaceSize`, nil when unbounded.
    public var metaspace: JVMMemoryPool?
    /// Compressed class space (perf data only).
    public var compressedClassSpace: JVMMemoryPool?
    /// Live Java threads (perf data only).
    public var liveThreads: Int?
    /// The process's native threads.
    public var nativeThreads: Int
    /// The collectors' counts and times (perf data only).
    public var collectors: [JVMCollector]
    /// The flags that bound non-heap memory.
    public var options: JVMOptions
    /// The worst case for memory outside the heap.
    public var nonHeapWorstCase: JVMNonHeapEstimate

    /// A report from its parts.
    public init(
        pid: Int32, namespacePid: Int32, launcher: String, javaCommand: String?, vmArguments: [String],
        perfDataPath: String?, collector: JVMCollectorKind, heapCeiling: UInt64,
        heapCeilingSource: JVMHeapCeilingSource, heap: JVMMemoryPool?, metaspace: JVMMemoryPool?,
        compressedClassSpace: JVMMemoryPool?, liveThreads: Int?, nativeThreads: Int, collectors: [JVMCollector],
        options: JVMOptions, nonHeapWorstCase: JVMNonHeapEstimate
    ) {
        self.pid = pid
        self.namespacePid = namespacePid
        self.launcher = launcher
        self.javaCommand = javaCommand
        self.vmArguments = vmArguments
        self.perfDataPath = perfDataPath
        self.collector = collector
        self.heapCeiling = heapCeiling
        self.heapCeilingSource = heapCeilingSource
        self.heap = heap
        self.metaspace = metaspace
        self.compressedClassSpace = compressedClassSpace
        self.liveThreads = liveThreads
        self.nativeThreads = nativeThreads
        self.collectors = collectors
        self.options = options
        self.nonHeapWorstCase = nonHeapWorstCase
    }
}
