/// A route a lab router announces by itself (a static route exported to BGP), with the communities to attach.
public struct BGPPeerLabOriginatedRoute: Hashable, Sendable {
    /// The prefix ("10.1.0.0/24", "fd00:1::/64").
    public var prefix: String
    /// Standard communities attached to the route.
    public var communities: [BGPPeerLabRoute.Community]
    /// Large communities attached to the route.
    public var largeCommunities: [BGPPeerLabRoute.LargeCommunity]

    /// A route to originate.
    public init(
        _ prefix: String, communities: [BGPPeerLabRoute.Community] = [],
        largeCommunities: [BGPPeerLabRoute.LargeCommunity] = []
    ) {
        self.prefix = prefix
        self.communities = communities
        self.largeCommunities = largeCommunities
    }

    /// Whether the prefix is IPv6.
    public var isIPv6: Bool { BGPPeerLabAddress.isIPv6(prefix) }
}
