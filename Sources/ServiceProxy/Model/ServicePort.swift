/// One port of a Service: what clients connect to, and where endpoints listen.
public struct ServicePort: Hashable, Sendable {
    /// The port's name; endpoints name their ports the same way.
    public var name: String
    /// The transport protocol.
    public var transport: TransportProtocol
    /// The port on ClusterIPs, external IPs and load-balancer IPs.
    public var port: Int
    /// The port on the node's addresses, when the Service is a NodePort or LoadBalancer.
    public var nodePort: Int?
    /// The endpoints' port when an endpoint does not name one (a numeric targetPort).
    public var targetPort: Int
    /// A named targetPort, as Kubernetes allows: each endpoint's number then comes from the
    /// endpoint's own ports under this Service port's name, and an endpoint without it is left out.
    public var targetPortName: String?
    /// Whether each endpoint must name its own port for this Service port, as EndpointSlices do:
    /// an endpoint without it is left out instead of falling back to `targetPort`.
    public var requiresEndpointPort: Bool

    /// A service port.
    public init(
        name: String = "", transport: TransportProtocol = .tcp, port: Int, nodePort: Int? = nil, targetPort: Int? = nil,
        targetPortName: String? = nil, requiresEndpointPort: Bool = false
    ) {
        self.requiresEndpointPort = requiresEndpointPort
        self.name = name
        self.transport = transport
        self.port = port
        self.nodePort = nodePort
        self.targetPort = targetPort ?? port
        self.targetPortName = targetPortName
    }
}

/// TCP, UDP or SCTP.
public enum TransportProtocol: String, Hashable, Sendable, CaseIterable, Comparable {
    case tcp
    case udp
    case sctp

    public static func < (lhs: TransportProtocol, rhs: TransportProtocol) -> Bool { lhs.rawValue < rhs.rawValue }
}
