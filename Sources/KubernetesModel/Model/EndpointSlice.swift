/// An EndpointSlice (`discovery.k8s.io/v1`): part of a Service's endpoints, tied to it by the
/// `kubernetes.io/service-name` label.
public struct EndpointSlice: KubernetesResource, Hashable {
    /// `/apis/discovery.k8s.io/v1`.
    public static let apiPath = "/apis/discovery.k8s.io/v1"
    /// `discovery.k8s.io/v1`.
    public static let apiVersion = "discovery.k8s.io/v1"
    /// `endpointslices`.
    public static let plural = "endpointslices"
    /// `EndpointSlice`.
    public static let kind = "EndpointSlice"
    /// EndpointSlices live in namespaces.
    public static let namespaced = true
    /// The label that names the owning Service.
    public static let serviceNameLabel = "kubernetes.io/service-name"

    /// Metadata.
    public var metadata: ObjectMeta
    /// IPv4, IPv6 or FQDN; required.
    public var addressType: AddressType
    /// The endpoints.
    public var endpoints: [EndpointSliceEndpoint]
    /// The ports every endpoint serves.
    public var ports: [EndpointPort]

    /// An EndpointSlice.
    public init(
        metadata: ObjectMeta, addressType: AddressType, endpoints: [EndpointSliceEndpoint] = [],
        ports: [EndpointPort] = []
    ) {
        self.metadata = metadata
        self.addressType = addressType
        self.endpoints = endpoints
        self.ports = ports
    }

    /// The Service this slice belongs to (its `kubernetes.io/service-name` label), if any.
    public var serviceName: String? {
        metadata.labels[Self.serviceNameLabel]
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, addressType, endpoints, ports
    }

    /// Decodes a slice; `addressType` must be IPv4, IPv6 or FQDN.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decode(ObjectMeta.self, forKey: .metadata)
        addressType = try container.decode(AddressType.self, forKey: .addressType)
        endpoints = try container.decodeIfPresent([EndpointSliceEndpoint].self, forKey: .endpoints) ?? []
        ports = try container.decodeIfPresent([EndpointPort].self, forKey: .ports) ?? []
    }

    /// Encodes the object with its `apiVersion` and `kind`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.apiVersion, forKey: .apiVersion)
        try container.encode(Self.kind, forKey: .kind)
        try container.encode(metadata, forKey: .metadata)
        try container.encode(addressType, forKey: .addressType)
        try container.encode(endpoints, forKey: .endpoints)
        try container.encode(ports, forKey: .ports)
    }
}
