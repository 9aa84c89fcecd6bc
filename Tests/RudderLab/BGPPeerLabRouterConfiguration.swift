/// What a lab router is told to be: the same description makes a BIRD, GoBGP or FRR configuration.
///
/// Each neighbor gets one session carrying the address family of its address (IPv4 unicast over
/// an IPv4 session, IPv6 unicast over an IPv6 session), as most node-to-ToR peerings do.
public struct BGPPeerLabRouterConfiguration: Sendable {
    /// One configured neighbor.
    public struct Neighbor: Sendable, Hashable {
        /// The neighbor's address.
        public var address: String
        /// The neighbor's AS number (2-octet when at most 65535).
        public var remoteAS: UInt32
        /// TCP MD5 password (RFC 2385), one word (FRR takes no spaces), or nil for none.
        public var password: String?
        /// Whether to wait for the neighbor to connect instead of connecting.
        public var passive: Bool
        /// Whether the router offers the 4-octet AS capability (RFC 6793); without it the router
        /// is an "old" 2-octet speaker. Only the BIRD lab router can turn it off.
        public var fourOctetAS: Bool

        /// A neighbor.
        public init(
            address: String, remoteAS: UInt32, password: String? = nil, passive: Bool = false, fourOctetAS: Bool = true
        ) {
            self.address = address
            self.remoteAS = remoteAS
            self.password = password
            self.passive = passive
            self.fourOctetAS = fourOctetAS
        }

        /// Whether the session runs over IPv6.
        public var isIPv6: Bool { BGPPeerLabAddress.isIPv6(address) }
    }

    /// Dynamic neighbors: any address in `prefix` may connect (the router never connects itself).
    public struct NeighborRange: Sendable, Hashable {
        /// The range ("10.255.0.0/16").
        public var prefix: String
        /// The AS number every neighbor in the range must have.
        public var remoteAS: UInt32
        /// TCP MD5 password for the whole range, or nil for none.
        public var password: String?

        /// A range of dynamic neighbors.
        public init(prefix: String, remoteAS: UInt32, password: String? = nil) {
            self.prefix = prefix
            self.remoteAS = remoteAS
            self.password = password
        }

        /// Whether the range is IPv6.
        public var isIPv6: Bool { BGPPeerLabAddress.isIPv6(prefix) }
    }

    /// The router's own AS number (4-octet when above 65535).
    public var localAS: UInt32
    /// The BGP identifier, an IPv4 address.
    public var routerID: String
    /// Addresses to listen on; empty means every address in the namespace.
    public var listenAddresses: [String]
    /// Configured neighbors.
    public var neighbors: [Neighbor]
    /// Dynamic neighbor ranges.
    public var neighborRanges: [NeighborRange]
    /// Routes the router announces from the start (more can be added later with `originate`).
    public var originatedRoutes: [BGPPeerLabOriginatedRoute]

    /// A router description.
    public init(
        localAS: UInt32, routerID: String, listenAddresses: [String] = [], neighbors: [Neighbor] = [],
        neighborRanges: [NeighborRange] = [], originatedRoutes: [BGPPeerLabOriginatedRoute] = []
    ) {
        self.localAS = localAS
        self.routerID = routerID
        self.listenAddresses = listenAddresses
        self.neighbors = neighbors
        self.neighborRanges = neighborRanges
        self.originatedRoutes = originatedRoutes
    }
}
