import Addresses

/// An address assigned to a link.
public struct InterfaceAddress: Hashable, Sendable, CustomStringConvertible {
    /// The link that holds the address.
    public var linkIndex: Int32
    /// The local address with its prefix length (host bits kept: 10.0.0.1/24).
    public var address: IPPrefix
    /// The scope (0 global, 253 link, 254 host).
    public var scope: UInt8

    /// An address value.
    public init(linkIndex: Int32, address: IPPrefix, scope: UInt8 = 0) {
        self.linkIndex = linkIndex
        self.address = address
        self.scope = scope
    }

    /// The connected subnet the address implies.
    public var subnet: IPPrefix { address.network }

    public var description: String { "\(address) dev#\(linkIndex)" }
}
