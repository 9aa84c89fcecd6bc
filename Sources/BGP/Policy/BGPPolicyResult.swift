/// What a policy made of one route.
public enum BGPPolicyResult: Hashable, Sendable {
    /// The route goes through with these attributes; `nextHopSelf` asks the caller to set the next
    /// hop to the session's own address (it alone knows it, and the family's next-hop field).
    case accepted(PathAttributes, nextHopSelf: Bool)
    /// The route is dropped, and why ("policy \"tor-in\" rule 2 rejects 10.0.0.0/8").
    case rejected(reason: String)

    /// Whether the route goes through.
    public var isAccepted: Bool {
        if case .accepted = self { true } else { false }
    }
}
