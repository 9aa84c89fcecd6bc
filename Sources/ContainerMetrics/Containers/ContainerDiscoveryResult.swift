/// What one discovery pass found, and what it had to skip.
public struct ContainerDiscoveryResult: Sendable, Equatable {
    /// Pods, containers, sandboxes (or plain cgroups), in walk order.
    public var containers: [DiscoveredContainer]
    /// Cgroups skipped because they vanished or could not be listed; every other one is in `containers`.
    public var problems: [CgroupReadError]

    /// A discovery outcome.
    public init(containers: [DiscoveredContainer] = [], problems: [CgroupReadError] = []) {
        self.containers = containers
        self.problems = problems
    }
}
