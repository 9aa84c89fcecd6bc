/// A route as a router holds it after receiving it from a neighbor.
public struct BGPPeerLabRoute: Hashable, Sendable, CustomStringConvertible {
    /// A standard community (RFC 1997), written "ASN:VALUE".
    public struct Community: Hashable, Sendable, Comparable, CustomStringConvertible {
        /// The high 16 bits, by convention an AS number.
        public var asn: UInt16
        /// The low 16 bits.
        public var value: UInt16

        /// A community from its two halves.
        public init(_ asn: UInt16, _ value: UInt16) {
            self.asn = asn
            self.value = value
        }

        /// A community from its 32-bit wire value, as GoBGP prints it.
        public init(rawValue: UInt32) {
            self.init(UInt16(rawValue >> 16), UInt16(rawValue & 0xffff))
        }

        /// "ASN:VALUE".
        public var description: String { "\(asn):\(value)" }

        /// Orders by AS number, then value.
        public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.asn, lhs.value) < (rhs.asn, rhs.value) }
    }

    /// A large community (RFC 8092), written "GLOBAL:LOCAL1:LOCAL2".
    public struct LargeCommunity: Hashable, Sendable, Comparable, CustomStringConvertible {
        /// The global administrator, by convention an AS number.
        public var global: UInt32
        /// The first local data part.
        public var local1: UInt32
        /// The second local data part.
        public var local2: UInt32

        /// A large community from its three parts.
        public init(_ global: UInt32, _ local1: UInt32, _ local2: UInt32) {
            self.global = global
            self.local1 = local1
            self.local2 = local2
        }

        /// "GLOBAL:LOCAL1:LOCAL2".
        public var description: String { "\(global):\(local1):\(local2)" }

        /// Orders part by part.
        public static func < (lhs: Self, rhs: Self) -> Bool {
            (lhs.global, lhs.local1, lhs.local2) < (rhs.global, rhs.local1, rhs.local2)
        }
    }

    /// The prefix in canonical form ("10.1.0.0/24", "fd00:1::/64").
    public var prefix: String
    /// The next hop in canonical form (the global one for IPv6).
    public var nextHop: String
    /// The AS numbers of the AS_PATH in order (sets flattened in place).
    public var asPath: [UInt32]
    /// Standard communities, sorted.
    public var communities: [Community]
    /// Large communities, sorted.
    public var largeCommunities: [LargeCommunity]

    /// A route; communities are sorted so that routes from different routers compare equal.
    public init(
        prefix: String, nextHop: String, asPath: [UInt32], communities: [Community] = [],
        largeCommunities: [LargeCommunity] = []
    ) {
        self.prefix = prefix
        self.nextHop = nextHop
        self.asPath = asPath
        self.communities = communities.sorted()
        self.largeCommunities = largeCommunities.sorted()
    }

    /// "PREFIX via NEXTHOP path [..] communities [..] large [..]".
    public var description: String {
        "\(prefix) via \(nextHop) path \(asPath) communities \(communities) large \(largeCommunities)"
    }
}
