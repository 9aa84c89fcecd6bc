/// The memory figures a JVM's perf data states, read from `sun.gc.*`, `java.threads.*` and `java.rt.*`.
public struct JVMPerfFigures: Equatable, Sendable {
    /// The collector policy's name (`sun.gc.policy.name`), such as "GarbageFirst" or "Copy:MSC".
    public var policyName: String?
    /// The collector, when the policy name is one HotSpot 17 uses.
    public var collector: JVMCollectorKind?
    /// The heap: used and committed summed over all spaces, and the ceiling as `max`.
    ///
    /// For G1 every generation reports the whole heap as its maximum, padded by the object
    /// alignment once per space (G1 pads so no figure reads zero), so the ceiling is the old
    /// generation's maxCapacity less its minCapacity (which is that padding); capacities lose
    /// their padding the same way. For every other collector the generations split the heap, so
    /// the ceiling is the sum of their maxCapacity.
    public var heap: JVMMemoryPool
    /// Metaspace (`sun.gc.metaspace.*`); `max` is nil: the perf data's maxCapacity is the
    /// reservation, not a limit, so the caller fills it from `-XX:MaxMetaspaceSize`. These figures
    /// refresh only at garbage collections, so they lag.
    public var metaspace: JVMMemoryPool?
    /// Compressed class space (`sun.gc.compressedclassspace.*`), with its reserved size as `max`.
    public var compressedClassSpace: JVMMemoryPool?
    /// Live Java threads (`java.threads.live`).
    public var liveThreads: Int?
    /// The collectors and their counts and times.
    public var collectors: [JVMCollector]
    /// The JVM's options as it applied them (`java.rt.vmArgs`), split at spaces.
    public var vmArguments: [String]
    /// The main class or JAR and its arguments (`sun.rt.javaCommand`).
    public var javaCommand: String?

    /// Reads the figures from `data`; nil when it has no heap generations (not a HotSpot layout we know).
    public init?(_ data: HSPerfData) {
        policyName = data.string("sun.gc.policy.name")
        collector = policyName.flatMap(JVMCollectorKind.init(policyName:))
        let isG1 = collector == .g1
        // Bound the loops by what a JVM can have, whatever the counts in the file say.
        let generationCount = Int(clamping: data.long("sun.gc.policy.generations") ?? 2)
        var ceiling: UInt64 = 0
        var used: UInt64 = 0
        var committed: UInt64 = 0
        var found = false
        for generation in 0..<min(max(generationCount, 0), 8) {
            let prefix = "sun.gc.generation.\(generation)."
            guard let maxCapacity = data.long(prefix + "maxCapacity") else { continue }
            found = true
            let padding = isG1 ? UInt64(clamping: data.long(prefix + "minCapacity") ?? 0) : 0
            let capacity = UInt64(clamping: data.long(prefix + "capacity") ?? 0)
            committed &+= capacity > padding ? capacity - padding : 0
            let maximum = UInt64(clamping: maxCapacity)
            if isG1 {
                if data.string(prefix + "name") == "old" { ceiling = maximum > padding ? maximum - padding : 0 }
            } else {
                ceiling &+= maximum
            }
            let spaces = Int(clamping: data.long(prefix + "spaces") ?? 0)
            for space in 0..<min(max(spaces, 0), 8) {
                used &+= UInt64(clamping: data.long(prefix + "space.\(space).used") ?? 0)
            }
        }
        guard found else { return nil }
        heap = JVMMemoryPool(used: used, committed: committed, max: ceiling)
        metaspace = Self.pool(data, "sun.gc.metaspace.", withMax: false)
        compressedClassSpace = Self.pool(data, "sun.gc.compressedclassspace.", withMax: true)
        liveThreads = data.long("java.threads.live").map { Int(clamping: $0) }
        let frequency = data.long("sun.os.hrt.frequency").flatMap { $0 > 0 ? Double($0) : nil } ?? 1e9
        var collectors: [JVMCollector] = []
        for index in 0..<16 {
            let prefix = "sun.gc.collector.\(index)."
            guard let name = data.string(prefix + "name") else { break }
            collectors.append(
                JVMCollector(
                    name: name, invocations: UInt64(clamping: data.long(prefix + "invocations") ?? 0),
                    seconds: Double(max(data.long(prefix + "time") ?? 0, 0)) / frequency))
        }
        self.collectors = collectors
        vmArguments = (data.string("java.rt.vmArgs") ?? "").split(separator: " ").map(String.init)
        javaCommand = data.string("sun.rt.javaCommand")
    }

    private static func pool(_ data: HSPerfData, _ prefix: String, withMax: Bool) -> JVMMemoryPool? {
        guard let used = data.long(prefix + "used"), let capacity = data.long(prefix + "capacity") else { return nil }
        let maximum = withMax ? data.long(prefix + "maxCapacity").map { UInt64(clamping: $0) } : nil
        return JVMMemoryPool(used: UInt64(clamping: used), committed: UInt64(clamping: capacity), max: maximum)
    }
}
