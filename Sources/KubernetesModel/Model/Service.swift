/// A Service (`v1`): a set of ports on virtual IPs that the service proxy maps to endpoints.
public struct Service: KubernetesResource, Hashable {
    /// `/api/v1`.
    public static let apiPath = "/api/v1"
    /// `v1`.
    public static let apiVersion = "v1"
    /// `services`.
    public static let plural = "services"
    /// `Service`.
    public static let kind = "Service"
    /// Services live in namespaces.
    public static let namespaced = true

    /// Metadata.
    public var metadata: ObjectMeta
    /// The desired state.
    public var spec: ServiceSpec
    /// The observed state (load-balancer addresses).
    public var status: ServiceStatus

    /// A Service.
    public init(metadata: ObjectMeta, spec: ServiceSpec, status: ServiceStatus = ServiceStatus()) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, spec, status
    }

    /// Decodes a Service; `metadata` and `spec` are required.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decode(ObjectMeta.self, forKey: .metadata)
        spec = try container.decode(ServiceSpec.self, forKey: .spec)
        status = try container.decodeIfPresent(ServiceStatus.self, forKey: .status) ?? ServiceStatus()
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
