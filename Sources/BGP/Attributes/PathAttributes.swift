/// The path attributes of a route, everything in an UPDATE but its prefixes and MP_REACH_NLRI's
/// next hop. A value type that is Hashable, so a RIB can keep one copy of each distinct set.
///
/// AS numbers are always 4-octet here: AS4_PATH and AS4_AGGREGATOR from a 2-octet peer are merged
/// in on decode and produced again on encode (RFC 6793), so they have no fields of their own.
public struct PathAttributes: Hashable, Sendable {
    /// ORIGIN.
    public var origin: Origin?
    /// AS_PATH; nil when the attribute is absent (an empty path is a present, empty attribute).
    public var asPath: ASPath?
    /// NEXT_HOP, an IPv4 address (IPv6 next hops travel in MP_REACH_NLRI).
    public var nextHop: BGPAddress?
    /// MULTI_EXIT_DISC.
    public var multiExitDiscriminator: UInt32?
    /// LOCAL_PREF.
    public var localPreference: UInt32?
    /// ATOMIC_AGGREGATE.
    public var atomicAggregate: Bool
    /// AGGREGATOR.
    public var aggregator: Aggregator?
    /// COMMUNITIES, in received order; empty when absent.
    public var communities: [BGPCommunity]
    /// LARGE_COMMUNITIES, in received order; empty when absent.
    public var largeCommunities: [LargeCommunity]
    /// ORIGINATOR_ID (RFC 4456).
    public var originatorID: UInt32?
    /// CLUSTER_LIST (RFC 4456); empty when absent.
    public var clusterList: [UInt32]
    /// Optional transitive attributes this codec does not know, passed on with the Partial bit; in
    /// type-code order, the order they are sent in.
    public var unknown: [UnknownAttribute]

    /// A set of attributes; every one is absent unless given.
    public init(
        origin: Origin? = nil, asPath: ASPath? = nil, nextHop: BGPAddress? = nil,
        multiExitDiscriminator: UInt32? = nil, localPreference: UInt32? = nil, atomicAggregate: Bool = false,
        aggregator: Aggregator? = nil, communities: [BGPCommunity] = [], largeCommunities: [LargeCommunity] = [],
        originatorID: UInt32? = nil, clusterList: [UInt32] = [], unknown: [UnknownAttribute] = []
    ) {
        self.origin = origin
        self.asPath = asPath
        self.nextHop = nextHop
        self.multiExitDiscriminator = multiExitDiscriminator
        self.localPreference = localPreference
        self.atomicAggregate = atomicAggregate
        self.aggregator = aggregator
        self.communities = communities
        self.largeCommunities = largeCommunities
        self.originatorID = originatorID
        self.clusterList = clusterList
        self.unknown = unknown
    }

    /// Whether no attribute is present.
    public var isEmpty: Bool { self == PathAttributes() }
}
