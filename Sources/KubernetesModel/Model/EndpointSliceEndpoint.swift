/// One endpoint of an EndpointSlice (`endpoints[]`): the addresses of one backend, usually a pod.
///
/// A node holds one of these for every endpoint in the cluster, so it is laid out for size: the
/// one address the API allows today is held inline (an array of one would be a heap block of its
/// own), and the fields the agent rarely or never reads (hostname, zone, targetRef, hints) live
/// together in one shared box that endpoints in the agent's trimmed cache have only when hinted. At 100,000 endpoints this
/// saves about 15 MB.
public struct EndpointSliceEndpoint: Codable, Sendable, Hashable {
    /// The first address, of the slice's address type.
    public var address: String?
    /// Addresses after the first; the API allows only one today.
    private var otherAddresses: [String]
    /// Ready, serving, terminating.
    public var conditions: EndpointConditions
    /// The node the endpoint runs on, for `Local` traffic policies.
    public var nodeName: String?
    private var details: Details?

    /// The addresses (one, by the API's current rules), of the slice's address type.
    public var addresses: [String] {
        get { address.map { [$0] + otherAddresses } ?? [] }
        set {
            address = newValue.first
            otherAddresses = Array(newValue.dropFirst())
        }
    }

    /// The hostname, for headless Services.
    public var hostname: String? {
        get { details?.hostname }
        set { details = Details(hostname: newValue, zone: zone, targetRef: targetRef, hints: hints) }
    }

    /// The zone, for topology-aware routing.
    public var zone: String? {
        get { details?.zone }
        set { details = Details(hostname: hostname, zone: newValue, targetRef: targetRef, hints: hints) }
    }

    /// The backing object, usually a Pod.
    public var targetRef: ObjectReference? {
        get { details?.targetRef }
        set { details = Details(hostname: hostname, zone: zone, targetRef: newValue, hints: hints) }
    }

    /// Topology hints, for topology-aware routing.
    public var hints: EndpointHints? {
        get { details?.hints }
        set { details = Details(hostname: hostname, zone: zone, targetRef: targetRef, hints: newValue) }
    }

    /// An endpoint.
    public init(
        addresses: [String], conditions: EndpointConditions = EndpointConditions(), hostname: String? = nil,
        nodeName: String? = nil, zone: String? = nil, targetRef: ObjectReference? = nil, hints: EndpointHints? = nil
    ) {
        self.address = addresses.first
        self.otherAddresses = Array(addresses.dropFirst())
        self.conditions = conditions
        self.nodeName = nodeName
        self.details = Details(hostname: hostname, zone: zone, targetRef: targetRef, hints: hints)
    }

    private enum CodingKeys: String, CodingKey {
        case addresses, conditions, hostname, nodeName, zone, targetRef, hints
    }

    /// Decodes an endpoint; `addresses` is required.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let addresses = try container.decode([String].self, forKey: .addresses)
        address = addresses.first
        otherAddresses = Array(addresses.dropFirst())
        conditions = try container.decodeIfPresent(EndpointConditions.self, forKey: .conditions) ?? .init()
        nodeName = try container.decodeIfPresent(String.self, forKey: .nodeName)
        details = Details(
            hostname: try container.decodeIfPresent(String.self, forKey: .hostname),
            zone: try container.decodeIfPresent(String.self, forKey: .zone),
            targetRef: try container.decodeIfPresent(ObjectReference.self, forKey: .targetRef),
            hints: try container.decodeIfPresent(EndpointHints.self, forKey: .hints))
    }

    /// Encodes the endpoint as the API writes it.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(addresses, forKey: .addresses)
        try container.encode(conditions, forKey: .conditions)
        try container.encodeIfPresent(hostname, forKey: .hostname)
        try container.encodeIfPresent(nodeName, forKey: .nodeName)
        try container.encodeIfPresent(zone, forKey: .zone)
        try container.encodeIfPresent(targetRef, forKey: .targetRef)
        try container.encodeIfPresent(hints, forKey: .hints)
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.address == rhs.address && lhs.otherAddresses == rhs.otherAddresses && lhs.conditions == rhs.conditions
            && lhs.nodeName == rhs.nodeName
            && lhs.hostname == rhs.hostname && lhs.zone == rhs.zone && lhs.targetRef == rhs.targetRef
            && lhs.hints == rhs.hints
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(address)
        hasher.combine(otherAddresses)
        hasher.combine(conditions)
        hasher.combine(nodeName)
        hasher.combine(hostname)
        hasher.combine(zone)
        hasher.combine(targetRef)
        hasher.combine(hints)
    }

    /// The rarely read fields, immutable and shared between copies.
    private final class Details: Sendable {
        let hostname: String?
        let zone: String?
        let targetRef: ObjectReference?
        let hints: EndpointHints?

        /// A box, or nil when there is nothing to hold.
        init?(hostname: String?, zone: String?, targetRef: ObjectReference?, hints: EndpointHints?) {
            guard hostname != nil || zone != nil || targetRef != nil || hints != nil else { return nil }
            self.hostname = hostname
            self.zone = zone
            self.targetRef = targetRef
            self.hints = hints
        }
    }
}
