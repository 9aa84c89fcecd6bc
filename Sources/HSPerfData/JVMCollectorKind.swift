/// Which garbage collector a HotSpot JVM runs, as its `-XX:+Use…GC` flag or its ergonomics chose.
public enum JVMCollectorKind: String, Equatable, Sendable, CaseIterable {
    /// `-XX:+UseSerialGC`, also the default on a machine that is not "server class".
    case serial
    /// `-XX:+UseParallelGC`.
    case parallel
    /// `-XX:+UseG1GC`, the default on a server-class machine.
    case g1
    /// `-XX:+UseZGC`.
    case z
    /// `-XX:+UseShenandoahGC`.
    case shenandoah
    /// `-XX:+UseEpsilonGC`.
    case epsilon

    /// The collector that `sun.gc.policy.name` in perf data names, if known.
    public init?(policyName: String) {
        switch policyName {
        case "Copy:MSC": self = .serial
        case "ParScav:MSC": self = .parallel
        case "GarbageFirst": self = .g1
        case "Z": self = .z
        case "Shenandoah": self = .shenandoah
        case "Epsilon": self = .epsilon
        default: return nil
        }
    }
}
