import Addresses

/// A network link (interface) as the kernel reports it.
public struct Link: Hashable, Sendable {
    /// The interface index.
    public var index: Int32
    /// The interface name.
    public var name: String
    /// The link kind ("veth", "dummy"), when the kernel names one.
    public var kind: String?
    /// Whether IFF_UP is set.
    public var isUp: Bool
    /// The MTU.
    public var mtu: UInt32
    /// An IPv4-in-IPv4 tunnel's outer addresses (local, remote); nil for other kinds.
    public var tunnel: IPIPTunnel?

    /// A link value.
    public init(index: Int32, name: String, kind: String?, isUp: Bool, mtu: UInt32, tunnel: IPIPTunnel? = nil) {
        self.index = index
        self.name = name
        self.kind = kind
        self.isUp = isUp
        self.mtu = mtu
        self.tunnel = tunnel
    }
}

/// The outer addresses of an IPv4-in-IPv4 tunnel.
public struct IPIPTunnel: Hashable, Sendable, CustomStringConvertible {
    /// The node's own address the tunnel's packets leave from.
    public var local: IPAddress
    /// The far node's address.
    public var remote: IPAddress

    /// A tunnel between two IPv4 addresses.
    public init(local: IPAddress, remote: IPAddress) {
        self.local = local
        self.remote = remote
    }

    public var description: String { "\(local) -> \(remote)" }
}
