/// One rule of a policy: which routes it matches, what it changes, and what it decides.
public struct BGPPolicyRule: Hashable, Sendable {
    /// What a matching rule decides.
    public enum Decision: Hashable, Sendable {
        /// Accept the route with the rule's changes; later rules are not consulted.
        case accept
        /// Reject the route; later rules are not consulted.
        case reject
        /// Apply the rule's changes and go on to the next rule.
        case next
    }

    /// The prefix sets a route must fall in (any one of them); empty matches every prefix.
    public var prefixes: [BGPPrefixPattern]
    /// Communities a route must carry (all of them); empty matches every route.
    public var communities: [BGPCommunity]
    /// The changes made to a matching route, in order.
    public var actions: [BGPPolicyAction]
    /// What a match decides.
    public var decision: Decision

    /// A rule from its parts.
    public init(
        prefixes: [BGPPrefixPattern] = [], communities: [BGPCommunity] = [], actions: [BGPPolicyAction] = [],
        decision: Decision
    ) {
        self.prefixes = prefixes
        self.communities = communities
        self.actions = actions
        self.decision = decision
    }

    /// Whether the rule applies to this route.
    public func matches(_ prefix: BGPPrefix, _ attributes: PathAttributes) -> Bool {
        (prefixes.isEmpty || prefixes.contains { $0.matches(prefix) })
            && communities.allSatisfy { attributes.communities.contains($0) }
    }
}
