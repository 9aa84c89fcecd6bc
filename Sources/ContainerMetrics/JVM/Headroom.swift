/// How much room a container's memory limit leaves above the heap ceilings of its JVMs.
///
/// Rule of thumb from the field: the limit must sit about 20% above `-Xmx`, or the kernel kills
/// the container for what lives outside the heap (metaspace, thread stacks, code cache, direct
/// buffers). With several JVMs in one container their ceilings add up: they share the one limit,
/// and each may grow its heap to its own ceiling independently of the others.
public struct Headroom: Equatable, Sendable {
    /// The container's memory limit in bytes.
    public var limit: UInt64
    /// The sum of the JVMs' heap ceilings in bytes.
    public var heapCeiling: UInt64
    /// How many JVMs the ceiling sums.
    public var jvmCount: Int
    /// The margin asked for above the ceiling, as a fraction (0.2 for 20%).
    public var requiredMargin: Double
    /// The worst case for the JVMs' memory outside their heaps (see `JVMNonHeapEstimate`).
    public var nonHeapWorstCase: UInt64

    /// Limit ÷ heap ceiling; infinite when the ceiling is zero.
    public var ratio: Double { heapCeiling == 0 ? .infinity : Double(limit) / Double(heapCeiling) }
    /// Limit − heap ceiling: the bytes left for everything outside the heaps; negative when the
    /// heaps alone may outgrow the limit.
    public var bytesLeftForNonHeap: Int64 {
        limit >= heapCeiling
            ? Int64(clamping: limit - heapCeiling) : -Int64(clamping: heapCeiling - limit)
    }
    /// Whether the limit is at least (1 + `requiredMargin`) × the heap ceiling.
    public var keepsMargin: Bool { Double(limit) >= Double(heapCeiling) * (1 + requiredMargin) }
    /// Whether even the non-heap worst case fits beside the heaps.
    public var worstCaseFits: Bool {
        let (total, overflow) = heapCeiling.addingReportingOverflow(nonHeapWorstCase)
        return !overflow && total <= limit
    }

    /// The headroom of a container with `limit` and these JVMs; nil without a limit or a JVM.
    public init?(limit: UInt64?, jvms: [JVMReport], requiredMargin: Double = 0.2) {
        guard let limit, !jvms.isEmpty else { return nil }
        self.init(
            limit: limit, heapCeiling: jvms.reduce(0) { $0 &+ $1.heapCeiling }, jvmCount: jvms.count,
            requiredMargin: requiredMargin, nonHeapWorstCase: jvms.reduce(0) { $0 &+ $1.nonHeapWorstCase.total })
    }

    /// A headroom from its figures.
    public init(limit: UInt64, heapCeiling: UInt64, jvmCount: Int, requiredMargin: Double, nonHeapWorstCase: UInt64) {
        self.limit = limit
        self.heapCeiling = heapCeiling
        self.jvmCount = jvmCount
        self.requiredMargin = requiredMargin
        self.nonHeapWorstCase = nonHeapWorstCase
    }
}
