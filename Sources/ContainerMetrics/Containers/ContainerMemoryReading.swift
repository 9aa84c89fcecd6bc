/// One container's memory figures and processes, with the figures that could not be read.
public struct ContainerMemoryReading: Sendable, Equatable {
    /// The container read.
    public var container: DiscoveredContainer
    /// Its memory figures.
    public var memory: ContainerMemory
    /// The processes in the cgroup itself (cgroup.procs), for finding JVMs.
    public var processIDs: [Int32]
    /// Files that could not be read; the figures they feed are nil, every other figure is there.
    public var problems: [CgroupReadError]

    /// A reading.
    public init(
        container: DiscoveredContainer, memory: ContainerMemory, processIDs: [Int32], problems: [CgroupReadError] = []
    ) {
        self.container = container
        self.memory = memory
        self.processIDs = processIDs
        self.problems = problems
    }
}
