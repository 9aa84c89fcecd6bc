import HSPerfData

/// The JVM flags that decide its memory ceilings, read from its options in the order applied.
///
/// Like HotSpot, a later option overrides an earlier one, so `-Xmx` on the command line beats
/// `-Xmx` in `JAVA_TOOL_OPTIONS`, and `_JAVA_OPTIONS` beats both. A flag that was never given
/// is nil: the JVM's default (or its ergonomics) applies. Values HotSpot would reject at start-up
/// are ignored here, since such a JVM would not be running.
public struct JVMOptions: Equatable, Sendable {
    /// `-Xmx` or `-XX:MaxHeapSize=`, in bytes.
    public var maxHeapSize: UInt64?
    /// `-Xms` or `-XX:InitialHeapSize=`, in bytes.
    public var initialHeapSize: UInt64?
    /// `-Xms` or `-XX:MinHeapSize=`, in bytes.
    public var minHeapSize: UInt64?
    /// `-XX:MaxRAM=`, in bytes: the memory size the JVM assumes instead of the real one.
    public var maxRAM: UInt64?
    /// `-XX:MaxRAMPercentage=`, or 100 ÷ `-XX:MaxRAMFraction=`.
    public var maxRAMPercentage: Double?
    /// `-XX:MinRAMPercentage=`, or 100 ÷ `-XX:MinRAMFraction=`.
    public var minRAMPercentage: Double?
    /// Whether `-XX:InitialRAMPercentage=` or `-XX:InitialRAMFraction=` was given (it changes how
    /// HotSpot caps the heap for compressed oops).
    public var initialRAMPercentageGiven = false
    /// `-XX:ErgoHeapSizeLimit=`, in bytes.
    public var ergoHeapSizeLimit: UInt64?
    /// The collector named by the last `-XX:+Use…GC` flag.
    public var collector: JVMCollectorKind?
    /// `-XX:G1HeapRegionSize=`, in bytes.
    public var g1HeapRegionSize: UInt64?
    /// `-XX:±UseContainerSupport`.
    public var useContainerSupport: Bool?
    /// `-XX:±UseCompressedOops`.
    public var useCompressedOops: Bool?
    /// `-XX:ActiveProcessorCount=`.
    public var activeProcessorCount: Int?
    /// `-XX:±AlwaysActAsServerClassMachine`.
    public var alwaysActAsServerClassMachine: Bool?
    /// `-XX:±NeverActAsServerClassMachine`.
    public var neverActAsServerClassMachine: Bool?
    /// `-Xss` or `-XX:ThreadStackSize=` (which counts KiB), in bytes.
    public var threadStackSize: UInt64?
    /// `-XX:ReservedCodeCacheSize=`, in bytes.
    public var reservedCodeCacheSize: UInt64?
    /// `-XX:±TieredCompilation`.
    public var tieredCompilation: Bool?
    /// `-XX:MaxDirectMemorySize=`, in bytes.
    public var maxDirectMemorySize: UInt64?
    /// `-XX:MaxMetaspaceSize=`, in bytes.
    public var maxMetaspaceSize: UInt64?
    /// `-XX:±UsePerfData`.
    public var usePerfData: Bool?
    /// `-XX:±PerfDisableSharedMem`.
    public var perfDisableSharedMem: Bool?

    /// Reads `arguments`, JVM options in the order the JVM applies them; others are skipped.
    public init(_ arguments: [String] = []) {
        for argument in arguments { apply(argument) }
    }

    private mutating func apply(_ argument: String) {
        if let value = argument.dropPrefix("-Xmx") {
            maxHeapSize = Self.size(value) ?? maxHeapSize
        } else if let value = argument.dropPrefix("-Xms") {
            if let size = Self.size(value) {
                initialHeapSize = size
                minHeapSize = size
            }
        } else if let value = argument.dropPrefix("-Xss") {
            // HotSpot keeps ThreadStackSize in KiB, rounding -Xss up to 4 KiB.
            if let size = Self.size(value) { threadStackSize = (size + 4095) / 4096 * 4096 }
        } else if let flag = argument.dropPrefix("-XX:") {
            applyXX(String(flag))
        }
    }

    private mutating func applyXX(_ flag: String) {
        if let first = flag.first, first == "+" || first == "-" {
            let on = first == "+"
            switch flag.dropFirst() {
            case "UseSerialGC": if on { collector = .serial }
            case "UseParallelGC": if on { collector = .parallel }
            case "UseG1GC": if on { collector = .g1 }
            case "UseZGC": if on { collector = .z }
            case "UseShenandoahGC": if on { collector = .shenandoah }
            case "UseEpsilonGC": if on { collector = .epsilon }
            case "UseContainerSupport": useContainerSupport = on
            case "UseCompressedOops": useCompressedOops = on
            case "AlwaysActAsServerClassMachine": alwaysActAsServerClassMachine = on
            case "NeverActAsServerClassMachine": neverActAsServerClassMachine = on
            case "TieredCompilation": tieredCompilation = on
            case "UsePerfData": usePerfData = on
            case "PerfDisableSharedMem": perfDisableSharedMem = on
            default: break
            }
            return
        }
        guard let equals = flag.firstIndex(of: "=") else { return }
        let name = flag[..<equals]
        let value = String(flag[flag.index(after: equals)...])
        switch name {
        case "MaxHeapSize": maxHeapSize = Self.size(value) ?? maxHeapSize
        case "InitialHeapSize": initialHeapSize = Self.size(value) ?? initialHeapSize
        case "MinHeapSize": minHeapSize = Self.size(value) ?? minHeapSize
        case "MaxRAM": maxRAM = Self.size(value) ?? maxRAM
        case "MaxRAMPercentage": maxRAMPercentage = Self.percentage(value) ?? maxRAMPercentage
        case "MinRAMPercentage": minRAMPercentage = Self.percentage(value) ?? minRAMPercentage
        case "MaxRAMFraction": maxRAMPercentage = Self.fraction(value) ?? maxRAMPercentage
        case "MinRAMFraction": minRAMPercentage = Self.fraction(value) ?? minRAMPercentage
        case "InitialRAMPercentage", "InitialRAMFraction": initialRAMPercentageGiven = true
        case "ErgoHeapSizeLimit": ergoHeapSizeLimit = Self.size(value) ?? ergoHeapSizeLimit
        case "G1HeapRegionSize": g1HeapRegionSize = Self.size(value) ?? g1HeapRegionSize
        case "ActiveProcessorCount": activeProcessorCount = Int(value) ?? activeProcessorCount
        case "ThreadStackSize":
            if let kib = Self.size(value), kib <= UInt64.max / 1024 { threadStackSize = kib * 1024 }
        case "ReservedCodeCacheSize": reservedCodeCacheSize = Self.size(value) ?? reservedCodeCacheSize
        case "MaxDirectMemorySize": maxDirectMemorySize = Self.size(value) ?? maxDirectMemorySize
        case "MaxMetaspaceSize": maxMetaspaceSize = Self.size(value) ?? maxMetaspaceSize
        default: break
        }
    }

    /// A HotSpot memory size: decimal or `0x` hexadecimal digits and an optional k, m, g or t
    /// (either case); nil when malformed or beyond 64 bits.
    public static func size(_ text: some StringProtocol) -> UInt64? {
        var digits = Substring(text)
        var shift: UInt64 = 0
        if let last = digits.last, !last.isHexDigit || (last.isLetter && !digits.hasPrefix("0x")) {
            switch last {
            case "k", "K": shift = 10
            case "m", "M": shift = 20
            case "g", "G": shift = 30
            case "t", "T": shift = 40
            default: return nil
            }
            digits = digits.dropLast()
        }
        let radix: Int
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") {
            digits = digits.dropFirst(2)
            radix = 16
        } else {
            radix = 10
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isHexDigit), let number = UInt64(digits, radix: radix) else {
            return nil
        }
        guard number <= UInt64.max >> shift else { return nil }
        return number << shift
    }

    private static func percentage(_ text: String) -> Double? {
        guard let value = Double(text), value >= 0, value <= 100 else { return nil }
        return value
    }

    private static func fraction(_ text: String) -> Double? {
        guard let value = UInt64(text), value > 0 else { return nil }
        return 100.0 / Double(value)
    }
}

extension String {
    fileprivate func dropPrefix(_ prefix: String) -> Substring? {
        hasPrefix(prefix) ? dropFirst(prefix.count) : nil
    }
}
