/// A change a policy rule makes to a route it matches.
public enum BGPPolicyAction: Hashable, Sendable, CustomStringConvertible {
    /// Adds a community (RFC 1997) unless already present.
    case addCommunity(BGPCommunity)
    /// Adds a large community (RFC 8092) unless already present.
    case addLargeCommunity(LargeCommunity)
    /// Prepends our AS to the AS_PATH this many times (on export to an external peer, in addition
    /// to the one prepend every external advertisement gets).
    case prependASPath(count: Int)
    /// Sets the next hop to our own address for the session.
    case nextHopSelf
    /// Sets LOCAL_PREF.
    case setLocalPreference(UInt32)
    /// Sets MULTI_EXIT_DISC.
    case setMED(UInt32)

    /// "add community 65000:100", "prepend AS path 3 times".
    public var description: String {
        switch self {
        case .addCommunity(let community): "add community \(community)"
        case .addLargeCommunity(let community): "add large community \(community)"
        case .prependASPath(let count): "prepend AS path \(count) times"
        case .nextHopSelf: "next hop self"
        case .setLocalPreference(let value): "set local preference \(value)"
        case .setMED(let value): "set MED \(value)"
        }
    }
}
