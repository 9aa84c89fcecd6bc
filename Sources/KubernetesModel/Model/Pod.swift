/// A Pod (`v1`): for the containers' memory limits and IDs on this node.
public struct Pod: KubernetesResource, Hashable {
    /// `/api/v1`.
    public static let apiPath = "/api/v1"
    /// `v1`.
    public static let apiVersion = "v1"
    /// `pods`.
    public static let plural = "pods"
    /// `Pod`.
    public static let kind = "Pod"
    /// Pods live in namespaces.
    public static let namespaced = true

    /// Metadata.
    public var metadata: ObjectMeta
    /// Node and containers.
    public var spec: PodSpec
    /// Phase, addresses and container states.
    public var status: PodStatus

    /// A Pod.
    public init(metadata: ObjectMeta, spec: PodSpec, status: PodStatus = PodStatus()) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, spec, status
    }

    /// Decodes a Pod; `metadata` and `spec` are required.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decode(ObjectMeta.self, forKey: .metadata)
        spec = try container.decode(PodSpec.self, forKey: .spec)
        status = try container.decodeIfPresent(PodStatus.self, forKey: .status) ?? PodStatus()
    }

    /// Encodes the object with its `apiVersion` and `kind`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.apiVersion, forKey: .apiVersion)
        try container.encode(Self.kind, forKey: .kind)
        try container.encode(metadata, forKey: .metadata)
        try container.encode(spec, forKey: .spec)
        try container.encode(status, forKey: .status)
    }
}
