/// A route as sent to one peer (its Adj-RIB-Out): the prefix and the attributes after the export
/// rules and policy, with the IPv6 next hop when there is one.
public struct BGPAdvertisedRoute: Hashable, Sendable, CustomStringConvertible {
    /// The destination.
    public var prefix: BGPPrefix
    /// The attributes sent.
    public var attributes: PathAttributes
    /// The MP_REACH_NLRI next hop of an IPv6 route.
    public var multiprotocolNextHop: MultiprotocolNextHop?

    /// "10.1.0.0/24 next hop 10.0.0.1".
    public var description: String {
        let nextHop = attributes.nextHop.map { "\($0)" } ?? multiprotocolNextHop.map { "\($0)" } ?? "none"
        return "\(prefix) next hop \(nextHop)"
    }
}
