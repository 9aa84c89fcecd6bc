/// What one scrape of the node's containers found.
public struct ContainerScrape: Sendable, Equatable {
    /// Every container that could be read, pods' own cgroups included.
    public var samples: [ContainerSample]
    /// One line for each thing skipped (a vanished cgroup, an unreadable file, a corrupt
    /// hsperfdata file), naming it; everything else was still read.
    public var problems: [String]

    /// A scrape outcome.
    public init(samples: [ContainerSample] = [], problems: [String] = []) {
        self.samples = samples
        self.problems = problems
    }
}
