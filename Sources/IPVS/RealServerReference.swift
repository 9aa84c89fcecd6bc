import Addresses

/// Names one real server of one virtual service.
public struct RealServerReference: Hashable, Sendable, CustomStringConvertible {
    /// The virtual service.
    public var service: IPVSServiceKey
    /// The real server's address.
    public var address: IPAddress
    /// The real server's port.
    public var port: UInt16

    /// A reference.
    public init(service: IPVSServiceKey, address: IPAddress, port: UInt16) {
        self.service = service
        self.address = address
        self.port = port
    }

    public var description: String { "\(service) -> \(IPVSServiceKey.endpoint(address, port))" }
}
