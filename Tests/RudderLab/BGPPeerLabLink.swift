/// The veth pair between the router namespace and one node namespace, with both ends' addresses.
public struct BGPPeerLabLink: Sendable, Hashable {
    /// Which node (0-based) this link reaches.
    public var node: Int
    /// The interface name in the router namespace.
    public var routerInterface: String
    /// The interface name in the node namespace.
    public var nodeInterface: String
    /// The router's IPv4 address on this link (no prefix length; the link is a /24).
    public var routerIPv4: String
    /// The node's IPv4 address on this link.
    public var nodeIPv4: String
    /// The router's IPv6 address on this link (the link is a /64).
    public var routerIPv6: String
    /// The node's IPv6 address on this link.
    public var nodeIPv6: String

    /// The addresses of link `node`: 10.255.N.1 and .2, fd00:255:N::1 and ::2.
    init(node: Int) {
        self.node = node
        routerInterface = "tor\(node)"
        nodeInterface = "up\(node)"
        routerIPv4 = "10.255.\(node).1"
        nodeIPv4 = "10.255.\(node).2"
        routerIPv6 = "fd00:255:\(node)::1"
        nodeIPv6 = "fd00:255:\(node)::2"
    }

    /// Every link's IPv4 addresses fall in this range, for a router's `neighbor range`.
    public static let ipv4Range = "10.255.0.0/16"
    /// Every link's IPv6 addresses fall in this range.
    public static let ipv6Range = "fd00:255::/32"
}
