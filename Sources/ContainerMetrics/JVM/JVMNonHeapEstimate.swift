/// A worst case for a JVM's memory outside the heap, built from ceilings, not from use.
///
/// Metaspace ceiling + code cache reservation + threads × stack size + direct-memory ceiling. It
/// is far above what a JVM usually commits (a 256 MiB G1 heap measured here: about 517 MiB by
/// ceilings, 63 MiB committed by native memory tracking), and it leaves out what has no ceiling
/// flag (the collector's own structures, malloc by JNI code). Treat it as a worst case, not a forecast.
public struct JVMNonHeapEstimate: Equatable, Sendable {
    /// Metaspace: `-XX:MaxMetaspaceSize` when set; otherwise, since metaspace is unbounded by
    /// default, what the JVM has committed to it (zero without perf data), and `metaspaceBounded` is false.
    public var metaspace: UInt64
    /// Whether `metaspace` is a real ceiling (`-XX:MaxMetaspaceSize`) rather than current use.
    public var metaspaceBounded: Bool
    /// `-XX:ReservedCodeCacheSize`: 240 MiB by default, 48 MiB with `-XX:-TieredCompilation`.
    public var codeCache: UInt64
    /// The process's native threads (`/proc/PID/status` Threads), which all have stacks, GC and
    /// compiler threads included; `java.threads.live` would count Java threads only.
    public var threads: Int
    /// `-Xss` / `-XX:ThreadStackSize`: 1 MiB by default on 64-bit Linux.
    public var threadStackSize: UInt64
    /// `-XX:MaxDirectMemorySize`, which defaults to the heap ceiling.
    public var directMemory: UInt64

    /// The stacks' share: threads × stack size.
    public var threadStacks: UInt64 { UInt64(max(threads, 0)).multipliedFullWidth(by: threadStackSize).low }
    /// The sum of the parts.
    public var total: UInt64 { metaspace &+ codeCache &+ threadStacks &+ directMemory }

    /// An estimate from its parts.
    public init(
        metaspace: UInt64, metaspaceBounded: Bool, codeCache: UInt64, threads: Int, threadStackSize: UInt64,
        directMemory: UInt64
    ) {
        self.metaspace = metaspace
        self.metaspaceBounded = metaspaceBounded
        self.codeCache = codeCache
        self.threads = threads
        self.threadStackSize = threadStackSize
        self.directMemory = directMemory
    }

    /// The estimate for a JVM with `options`, `heapCeiling`, `threads` native threads and, when
    /// known, the metaspace it has committed.
    public init(options: JVMOptions, heapCeiling: UInt64, threads: Int, metaspaceCommitted: UInt64?) {
        let mebibyte: UInt64 = 1 << 20
        self.init(
            metaspace: options.maxMetaspaceSize ?? metaspaceCommitted ?? 0,
            metaspaceBounded: options.maxMetaspaceSize != nil,
            codeCache: options.reservedCodeCacheSize ?? (options.tieredCompilation == false ? 48 : 240) * mebibyte,
            threads: threads, threadStackSize: options.threadStackSize ?? mebibyte,
            directMemory: options.maxDirectMemorySize ?? heapCeiling)
    }
}
