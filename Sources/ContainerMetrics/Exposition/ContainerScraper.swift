/// Finds the node's containers and reads their memory and their JVMs, once per scrape.
///
/// Nothing is cached between scrapes but the discovery's sandbox verdicts, so a container that
/// is gone is simply not in the next scrape and its series vanish. Not thread-safe: it reuses
/// one read buffer; callers serialize scrapes.
public final class ContainerScraper {
    /// Where containers are found.
    public let discovery: ContainerDiscovery
    private let reader: ContainerMemoryReader
    private let inspector: JVMInspector

    /// A scraper over a cgroup hierarchy; `requiredMargin` is the headroom a JVM container must
    /// keep above its heap ceiling (0.2: the limit at least 1.2 × the ceiling).
    public init(
        hierarchy: CgroupHierarchy, mode: ContainerDiscoveryMode = .kubelet, procRoot: String = "/proc",
        requiredMargin: Double = 0.2
    ) {
        discovery = ContainerDiscovery(hierarchy: hierarchy, mode: mode, procRoot: procRoot)
        reader = ContainerMemoryReader(version: hierarchy.memoryVersion)
        inspector = JVMInspector(procRoot: procRoot, requiredMargin: requiredMargin)
    }

    /// Discovers, reads and inspects every container now.
    public func scrape() -> ContainerScrape {
        let found = discovery.discover()
        var scrape = ContainerScrape(problems: found.problems.map(\.description))
        let wanted = found.containers.filter { !$0.isSandbox }
        let memory = reader.readAll(wanted)
        scrape.problems += memory.failures.map(\.description)
        scrape.samples.reserveCapacity(memory.readings.count)
        for reading in memory.readings {
            scrape.problems += reading.problems.map(\.description)
            // A pod's cgroup holds no processes of its own; its containers' JVMs are counted there.
            let jvm =
                reading.container.kind == .pod || reading.processIDs.isEmpty
                ? JVMScan(jvms: [], problems: [], headroom: nil)
                : inspector.inspect(pids: reading.processIDs, memoryLimit: reading.memory.limitBytes)
            scrape.problems += jvm.problems.map(\.description)
            scrape.samples.append(ContainerSample(container: reading.container, memory: reading.memory, jvm: jvm))
        }
        return scrape
    }
}
