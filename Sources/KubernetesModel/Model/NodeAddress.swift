/// An address of a Node (`status.addresses[]`).
public struct NodeAddress: Codable, Sendable, Hashable {
    /// `InternalIP`, `ExternalIP`, `Hostname`, `InternalDNS` or `ExternalDNS`; kept as text so that a new type
    /// does not reject the Node.
    public var type: String
    /// The address or name.
    public var address: String

    /// A node address.
    public init(type: String, address: String) {
        self.type = type
        self.address = address
    }
}
