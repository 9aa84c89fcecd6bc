/// The memory readings of many containers: those read, and one error for each container skipped.
public struct MemoryScan: Sendable, Equatable {
    /// One reading per container that could be read, in the order asked.
    public var readings: [ContainerMemoryReading]
    /// Why each skipped container was skipped (it vanished, or its usage file is unreadable or garbage).
    public var failures: [CgroupReadError]

    /// A scan outcome.
    public init(readings: [ContainerMemoryReading] = [], failures: [CgroupReadError] = []) {
        self.readings = readings
        self.failures = failures
    }
}
