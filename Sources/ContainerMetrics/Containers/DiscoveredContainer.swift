/// One cgroup found by `ContainerDiscovery`, with the identity its path gives.
public struct DiscoveredContainer: Sendable, Hashable, CustomStringConvertible {
    /// The cgroup path inside the memory hierarchy, such as "/kubepods/burstable/pod…/<id>".
    public var cgroupPath: String
    /// The cgroup's directory on this machine (the mount point joined with `cgroupPath`).
    public var directory: String
    /// Pod, container, sandbox, or plain cgroup.
    public var kind: ContainerCgroupKind
    /// The pod's UID with dashes ("0f0c…-…"), for pods, containers and sandboxes.
    public var podUID: String?
    /// The runtime's 64-hex-digit container ID, for containers and sandboxes.
    public var containerID: String?
    /// The runtime the cgroup name points to.
    public var runtime: ContainerRuntime
    /// The pod's quality-of-service class, for pods, containers and sandboxes.
    public var qos: ContainerQoSClass?

    /// A discovered cgroup.
    public init(
        cgroupPath: String, directory: String, kind: ContainerCgroupKind, podUID: String? = nil,
        containerID: String? = nil, runtime: ContainerRuntime, qos: ContainerQoSClass? = nil
    ) {
        self.cgroupPath = cgroupPath
        self.directory = directory
        self.kind = kind
        self.podUID = podUID
        self.containerID = containerID
        self.runtime = runtime
        self.qos = qos
    }

    /// Whether this is a pod's sandbox (pause) container, which has no container name of its own.
    public var isSandbox: Bool { kind == .sandbox }

    /// The kind and the cgroup path.
    public var description: String { "\(kind.rawValue) \(cgroupPath)" }
}
