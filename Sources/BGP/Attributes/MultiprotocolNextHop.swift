/// The next hop in MP_REACH_NLRI (RFC 4760 §3): one address, or for IPv6 a global address and a
/// link-local one (RFC 2545 §3).
public struct MultiprotocolNextHop: Hashable, Sendable, CustomStringConvertible {
    /// The global (or only) next hop address.
    public var global: BGPAddress
    /// The IPv6 link-local next hop, sent after the global one.
    public var linkLocal: BGPAddress?

    /// A next hop from its parts.
    public init(global: BGPAddress, linkLocal: BGPAddress? = nil) {
        self.global = global
        self.linkLocal = linkLocal
    }

    /// The Next Hop field's bytes.
    var bytes: [UInt8] { global.bytes + (linkLocal?.bytes ?? []) }

    /// "2001:db8::1" or "2001:db8::1 (fe80::1)".
    public var description: String {
        linkLocal.map { "\(global) (\($0))" } ?? "\(global)"
    }
}
