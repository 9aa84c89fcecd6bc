/// One container as a scrape found it: its cgroup, its memory, and the JVMs running in it.
public struct ContainerSample: Sendable, Equatable {
    /// The cgroup and what its path tells.
    public var container: DiscoveredContainer
    /// The memory figures.
    public var memory: ContainerMemory
    /// The JVMs found among its processes, with the container's headroom; empty when none.
    public var jvm: JVMScan

    /// A sample.
    public init(container: DiscoveredContainer, memory: ContainerMemory, jvm: JVMScan) {
        self.container = container
        self.memory = memory
        self.jvm = jvm
    }
}
