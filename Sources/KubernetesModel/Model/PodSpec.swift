/// `spec` of a Pod: where it runs and its containers.
public struct PodSpec: Codable, Sendable, Hashable {
    /// The node the pod is scheduled to; nil while pending scheduling.
    public var nodeName: String?
    /// The containers; required.
    public var containers: [Container]
    /// Whether the pod uses the node's network namespace.
    public var hostNetwork: Bool

    /// A pod spec.
    public init(nodeName: String? = nil, containers: [Container], hostNetwork: Bool = false) {
        self.nodeName = nodeName
        self.containers = containers
        self.hostNetwork = hostNetwork
    }

    private enum CodingKeys: String, CodingKey {
        case nodeName, containers, hostNetwork
    }

    /// Decodes a spec; `containers` is required.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        nodeName = try container.decodeIfPresent(String.self, forKey: .nodeName)
        containers = try container.decode([Container].self, forKey: .containers)
        hostNetwork = try container.decodeIfPresent(Bool.self, forKey: .hostNetwork) ?? false
    }
}
