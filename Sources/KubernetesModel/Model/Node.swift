/// A Node (`v1`, cluster-scoped): where pod routes point and who the BGP peers are.
public struct Node: KubernetesResource, Hashable {
    /// `/api/v1`.
    public static let apiPath = "/api/v1"
    /// `v1`.
    public static let apiVersion = "v1"
    /// `nodes`.
    public static let plural = "nodes"
    /// `Node`.
    public static let kind = "Node"
    /// Nodes are cluster-scoped.
    public static let namespaced = false

    /// Metadata.
    public var metadata: ObjectMeta
    /// Pod CIDRs and scheduling state.
    public var spec: NodeSpec
    /// Addresses.
    public var status: NodeStatus

    /// A Node.
    public init(metadata: ObjectMeta, spec: NodeSpec = NodeSpec(), status: NodeStatus = NodeStatus()) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// The first address of `type` (e.g. `InternalIP`), if any.
    public func address(ofType type: String) -> String? {
        status.addresses.first { $0.type == type }?.address
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, spec, status
    }

    /// Decodes a Node; `metadata` is required.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decode(ObjectMeta.self, forKey: .metadata)
        spec = try container.decodeIfPresent(NodeSpec.self, forKey: .spec) ?? NodeSpec()
        status = try container.decodeIfPresent(NodeStatus.self, forKey: .status) ?? NodeStatus()
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
