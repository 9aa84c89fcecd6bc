/// Where a JVM's heap ceiling figure came from.
public enum JVMHeapCeilingSource: String, Equatable, Sendable {
    /// The JVM's own perf data (its generations' maximum capacities).
    case perfData
    /// `-Xmx` or `-XX:MaxHeapSize` in the process's command line or environment.
    case options
    /// HotSpot's sizing rule applied to the container's limit (`JVMHeapSizing`).
    case ergonomics
}
