/// The state of one container of a pod (`status.containerStatuses[]`).
public struct ContainerStatus: Codable, Sendable, Hashable {
    /// The container's name.
    public var name: String
    /// `<runtime>://<id>`, the key to the container's cgroup; nil before it starts.
    public var containerID: String?
    /// Whether the container passes its readiness probe.
    public var ready: Bool
    /// How many times it restarted.
    public var restartCount: Int

    /// A container status.
    public init(name: String, containerID: String? = nil, ready: Bool, restartCount: Int) {
        self.name = name
        self.containerID = containerID
        self.ready = ready
        self.restartCount = restartCount
    }
}
