/// One port of an EndpointSlice (`ports[]`), matched to a Service port by name.
public struct EndpointPort: Codable, Sendable, Hashable {
    /// The name, equal to the Service port's name (empty or nil for a single unnamed port).
    public var name: String?
    /// The protocol (TCP when absent).
    public var `protocol`: PortProtocol
    /// The port number on the endpoints; nil means all ports.
    public var port: Int?
    /// The application protocol hint.
    public var appProtocol: String?

    /// An endpoint port.
    public init(name: String? = nil, protocol: PortProtocol = .tcp, port: Int? = nil, appProtocol: String? = nil) {
        self.name = name
        self.protocol = `protocol`
        self.port = port
        self.appProtocol = appProtocol
    }

    private enum CodingKeys: String, CodingKey {
        case name, `protocol`, port, appProtocol
    }

    /// Decodes a port.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        `protocol` = try container.decodeIfPresent(PortProtocol.self, forKey: .protocol) ?? .tcp
        port = try container.decodeIfPresent(Int.self, forKey: .port)
        appProtocol = try container.decodeIfPresent(String.self, forKey: .appProtocol)
    }
}
