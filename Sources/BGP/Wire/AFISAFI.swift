/// An (AFI, SAFI) pair: the kind of routes a capability, an MP_REACH_NLRI or a ROUTE-REFRESH is about.
public struct AFISAFI: Hashable, Sendable, CustomStringConvertible {
    /// The address family.
    public var afi: AFI
    /// The subsequent address family.
    public var safi: SAFI

    /// A pair from its parts.
    public init(afi: AFI, safi: SAFI) {
        self.afi = afi
        self.safi = safi
    }

    /// IPv4 unicast.
    public static let ipv4Unicast = AFISAFI(afi: .ipv4, safi: .unicast)
    /// IPv6 unicast.
    public static let ipv6Unicast = AFISAFI(afi: .ipv6, safi: .unicast)

    /// The unicast pair of an address family.
    public static func unicast(_ family: BGPAddress.Family) -> AFISAFI {
        family == .ipv4 ? .ipv4Unicast : .ipv6Unicast
    }

    /// The prefix family whose NLRI this codec reads for this pair: IPv4 or IPv6 unicast only.
    public var prefixFamily: BGPAddress.Family? {
        switch self {
        case .ipv4Unicast: .ipv4
        case .ipv6Unicast: .ipv6
        default: nil
        }
    }

    /// "IPv6 unicast".
    public var description: String { "\(afi) \(safi)" }
}
