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

    /// A link value.
    public init(index: Int32, name: String, kind: String?, isUp: Bool, mtu: UInt32) {
        self.index = index
        self.name = name
        self.kind = kind
        self.isUp = isUp
        self.mtu = mtu
    }
}
