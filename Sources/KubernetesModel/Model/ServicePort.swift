/// One port of a Service (`spec.ports[]`).
public struct ServicePort: Codable, Sendable, Hashable {
    /// The port's name; required by the API when a Service has several ports, matched against EndpointSlice ports.
    public var name: String?
    /// The protocol (TCP when absent).
    public var `protocol`: PortProtocol
    /// The port on the cluster IP.
    public var port: Int
    /// The port on the endpoints, by number or by container port name; nil means the same as `port`.
    public var targetPort: IntOrString?
    /// The port on every node, for NodePort and LoadBalancer Services.
    public var nodePort: Int?
    /// The application protocol hint.
    public var appProtocol: String?

    /// A Service port.
    public init(
        name: String? = nil, protocol: PortProtocol = .tcp, port: Int, targetPort: IntOrString? = nil,
        nodePort: Int? = nil, appProtocol: String? = nil
    ) {
        self.name = name
        self.protocol = `protocol`
        self.port = port
        self.targetPort = targetPort
        self.nodePort = nodePort
        self.appProtocol = appProtocol
    }

    private enum CodingKeys: String, CodingKey {
        case name, `protocol`, port, targetPort, nodePort, appProtocol
    }

    /// Decodes a port; `port` is required.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        `protocol` = try container.decodeIfPresent(PortProtocol.self, forKey: .protocol) ?? .tcp
        port = try container.decode(Int.self, forKey: .port)
        targetPort = try container.decodeIfPresent(IntOrString.self, forKey: .targetPort)
        nodePort = try container.decodeIfPresent(Int.self, forKey: .nodePort)
        appProtocol = try container.decodeIfPresent(String.self, forKey: .appProtocol)
    }
}
