import HSPerfData

/// HotSpot 17's rule for the maximum heap size, for a JVM whose own figure cannot be read.
///
/// Follows OpenJDK 17's `Arguments::set_heap_size` and the collectors' heap alignment:
/// - the memory the JVM sees is the container's limit (when container support is on and the
///   limit is below the host's memory), or `-XX:MaxRAM`;
/// - without `-Xmx` the heap is MaxRAMPercentage (25%) of it, at least the default MaxHeapSize
///   (96 MiB scaled by 1.3 for 64-bit words: about 124.8 MiB); but when MinRAMPercentage (50%)
///   of it is below that default, memory counts as "small" and the heap is MinRAMPercentage of it;
/// - the result is capped for compressed oops, raised to `-Xms`, and aligned up to the heap's
///   alignment (2 MiB card-table granule with 4 KiB pages, or the G1 region size if larger);
/// - without a GC flag, a machine with fewer than 2 CPUs or less than 1792 MiB gets SerialGC,
///   otherwise G1.
///
/// Not modelled: `ulimit -v` (`limit_heap_by_allocatable_memory`), large pages, and a
/// non-default `-XX:HeapBaseMinAddress` or `-XX:ObjectAlignmentInBytes`.
public struct JVMHeapSizing: Equatable, Sendable {
    /// The heap ceiling the JVM arrives at, in bytes.
    public var maxHeapSize: UInt64
    /// The collector it runs.
    public var collector: JVMCollectorKind
    /// The memory size it bases its defaults on, in bytes.
    public var physicalMemory: UInt64

    static let mebibyte: UInt64 = 1 << 20
    static let gibibyte: UInt64 = 1 << 30
    /// HotSpot's default `MaxHeapSize` on 64-bit: `ScaleForWordSize(96M)` = 96 MiB × 13 ÷ 10, word-aligned.
    static let defaultMaxHeapSize: UInt64 = (96 * mebibyte * 13 / 10) & ~7
    /// The default `-XX:MaxRAM` on 64-bit.
    static let defaultMaxRAM: UInt64 = 128 * gibibyte
    /// The default `-XX:HeapBaseMinAddress` on Linux x86_64.
    static let heapBaseMinAddress: UInt64 = 2 * gibibyte
    /// Card size (512 bytes) × page size (4 KiB): the collectors' smallest heap alignment.
    static let cardTableAlignment: UInt64 = 2 * mebibyte

    /// Applies the rule to `options` for a JVM in a container with `memoryLimit` (nil: none) on a
    /// host with `hostMemory` bytes of RAM and `processorCount` CPUs available to the process.
    public init(options: JVMOptions, memoryLimit: UInt64?, hostMemory: UInt64, processorCount: Int) {
        var osMemory = hostMemory
        // JDK 17 treats a cgroup limit at or above the host's memory as no limit.
        if options.useContainerSupport ?? true, let memoryLimit, memoryLimit < hostMemory { osMemory = memoryLimit }

        let processors = options.activeProcessorCount ?? processorCount
        let serverClass =
            options.alwaysActAsServerClassMachine == true
            || (options.neverActAsServerClassMachine != true && processors >= 2
                && osMemory >= 2 * Self.gibibyte - 256 * Self.mebibyte)
        collector = options.collector ?? (serverClass ? .g1 : .serial)

        // Any of these flags means the user sized memory on purpose: HotSpot then uses the OS
        // figure unclamped by MaxRAM and turns compressed oops off rather than shrink the heap.
        let overrideCoopLimit =
            options.maxRAMPercentage != nil || options.minRAMPercentage != nil || options.initialRAMPercentageGiven
            || options.maxRAM != nil
        let memory: UInt64
        if let maxRAM = options.maxRAM {
            memory = maxRAM
        } else if overrideCoopLimit {
            memory = osMemory
        } else {
            memory = min(osMemory, Self.defaultMaxRAM)
        }
        physicalMemory = memory

        var heap: UInt64
        if let explicit = options.maxHeapSize {
            heap = explicit
        } else {
            let maxPercentage = options.maxRAMPercentage ?? 25
            let minPercentage = options.minRAMPercentage ?? 50
            let reasonableMin = Self.percent(memory, minPercentage)
            if reasonableMin < Self.defaultMaxHeapSize {
                heap = reasonableMin
            } else {
                heap = max(Self.percent(memory, maxPercentage), Self.defaultMaxHeapSize)
            }
            if let limit = options.ergoHeapSizeLimit, limit != 0 { heap = min(heap, limit) }
            let compressedOops = options.useCompressedOops ?? (collector != .z)
            if compressedOops {
                // 32 GiB of 8-byte-aligned objects, less the null page's displacement and, since
                // the default heap fits above it, the heap's base address.
                var maxCoopHeap = 32 * Self.gibibyte - Self.conservativeAlignment(collector)
                if Self.heapBaseMinAddress + Self.defaultMaxHeapSize < maxCoopHeap {
                    maxCoopHeap -= Self.heapBaseMinAddress
                }
                if heap > maxCoopHeap && !(overrideCoopLimit && options.useCompressedOops == nil) {
                    heap = maxCoopHeap
                }
            }
            if let initial = options.initialHeapSize {
                heap = max(heap, initial)
            } else if let minimum = options.minHeapSize {
                heap = max(heap, minimum)
            }
        }
        let alignment = Self.heapAlignment(
            collector: collector, maxHeapSize: heap, regionSize: options.g1HeapRegionSize)
        maxHeapSize = Self.alignUp(heap, alignment)
    }

    /// The alignment HotSpot rounds the maximum heap up to.
    static func heapAlignment(collector: JVMCollectorKind, maxHeapSize: UInt64, regionSize: UInt64?) -> UInt64 {
        guard collector == .g1 else { return cardTableAlignment }
        return max(cardTableAlignment, g1RegionSize(maxHeapSize: maxHeapSize, requested: regionSize))
    }

    /// G1's region size: about 2048 regions, a power of two from 1 MiB to 32 MiB.
    static func g1RegionSize(maxHeapSize: UInt64, requested: UInt64?) -> UInt64 {
        let wanted = requested ?? max(maxHeapSize / 2048, mebibyte)
        let powerOfTwo: UInt64 = wanted == 0 ? mebibyte : 1 << (63 - UInt64(wanted.leadingZeroBitCount))
        return min(max(powerOfTwo, mebibyte), 32 * mebibyte)
    }

    private static func conservativeAlignment(_ collector: JVMCollectorKind) -> UInt64 {
        collector == .g1 ? 32 * mebibyte : cardTableAlignment
    }

    private static func percent(_ memory: UInt64, _ percentage: Double) -> UInt64 {
        let value = Double(memory) * percentage / 100
        return value >= Double(UInt64.max) ? UInt64.max : UInt64(value)
    }

    private static func alignUp(_ value: UInt64, _ alignment: UInt64) -> UInt64 {
        let (sum, overflow) = value.addingReportingOverflow(alignment - 1)
        return overflow ? value / alignment * alignment : sum / alignment * alignment
    }
}
