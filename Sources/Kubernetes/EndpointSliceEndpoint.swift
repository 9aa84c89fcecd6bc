/// One endpoint of an EndpointSlice (`endpoints[]`): the addresses of one backend, usually a pod.
public struct EndpointSliceEndpoint: Codable, Sendable, Hashable {
    /// The addresses (one, by the API's current rules), of the slice's address type.
    public var addresses: [String]
    /// Ready, serving, terminating.
    public var conditions: EndpointConditions
    /// The hostname, for headless Services.
    public var hostname: String?
    /// The node the endpoint runs on, for `Local` traffic policies.
    public var nodeName: String?
    /// The zone, for topology-aware routing.
    public var zone: String?
    /// The backing object, usually a Pod.
    public var targetRef: ObjectReference?

    /// An endpoint.
    public init(
        addresses: [String], conditions: EndpointConditions = EndpointConditions(), hostname: String? = nil,
        nodeName: String? = nil, zone: String? = nil, targetRef: ObjectReference? = nil
    ) {
        self.addresses = addresses
        self.conditions = conditions
        self.hostname = hostname
        self.nodeName = nodeName
        self.zone = zone
        self.targetRef = targetRef
    }

    private enum CodingKeys: String, CodingKey {
        case addresses, conditions, hostname, nodeName, zone, targetRef
    }

    /// Decodes an endpoint; `addresses` is required.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        addresses = try container.decode([String].self, forKey: .addresses)
        conditions = try container.decodeIfPresent(EndpointConditions.self, forKey: .conditions) ?? .init()
        hostname = try container.decodeIfPresent(String.self, forKey: .hostname)
        nodeName = try container.decodeIfPresent(String.self, forKey: .nodeName)
        zone = try container.decodeIfPresent(String.self, forKey: .zone)
        targetRef = try container.decodeIfPresent(ObjectReference.self, forKey: .targetRef)
    }
}
