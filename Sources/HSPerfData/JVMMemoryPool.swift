/// One memory area of a JVM (heap, metaspace, compressed class space), in bytes.
public struct JVMMemoryPool: Equatable, Sendable {
    /// Bytes in use.
    public var used: UInt64
    /// Bytes committed (backed by memory the OS has handed out).
    public var committed: UInt64
    /// The most the area may grow to; nil when it is unbounded.
    public var max: UInt64?

    /// An area's figures.
    public init(used: UInt64, committed: UInt64, max: UInt64?) {
        self.used = used
        self.committed = committed
        self.max = max
    }
}
