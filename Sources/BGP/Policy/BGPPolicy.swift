/// An import or export policy: rules tried in order, the first that accepts or rejects decides,
/// and a default for routes no rule decided.
public struct BGPPolicy: Hashable, Sendable, CustomStringConvertible {
    /// Import (routes from the peer) or export (routes to the peer).
    public enum Direction: Hashable, Sendable, CustomStringConvertible {
        case `import`
        case export

        /// "import", "export".
        public var description: String { self == .import ? "import" : "export" }
    }

    /// The name used in reasons and errors.
    public var name: String
    /// The rules, tried in order.
    public var rules: [BGPPolicyRule]
    /// Whether a route no rule decided is accepted.
    public var acceptsByDefault: Bool
    /// The reason given when the default rejects; nil gives a generic one.
    public var defaultRejectReason: String?

    /// A policy from its parts.
    public init(name: String, rules: [BGPPolicyRule] = [], acceptsByDefault: Bool, defaultRejectReason: String? = nil) {
        self.name = name
        self.rules = rules
        self.acceptsByDefault = acceptsByDefault
        self.defaultRejectReason = defaultRejectReason
    }

    /// Accepts everything unchanged.
    public static let acceptAll = BGPPolicy(name: "accept-all", acceptsByDefault: true)

    /// The policy in effect for a peer: the configured one, else RFC 8212's default — nothing in
    /// or out for an external peer (the reason says so, worth logging), everything for an internal one.
    public static func effective(
        _ configured: BGPPolicy?, direction: Direction, peer: String, external: Bool
    ) -> BGPPolicy {
        if let configured { return configured }
        guard external else { return BGPPolicy(name: "default internal \(direction)", acceptsByDefault: true) }
        return BGPPolicy(
            name: "RFC 8212 default \(direction)", acceptsByDefault: false,
            defaultRejectReason:
                "external peer \(peer) has no \(direction) policy, so RFC 8212 \(direction == .import ? "imports" : "exports") nothing"
        )
    }

    /// Runs the rules over one route. `localAS` is the AS AS-path prepends add.
    public func evaluate(_ prefix: BGPPrefix, _ attributes: PathAttributes, localAS: UInt32) -> BGPPolicyResult {
        var attributes = attributes
        var nextHopSelf = false
        for (index, rule) in rules.enumerated() where rule.matches(prefix, attributes) {
            for action in rule.actions {
                Self.apply(action, to: &attributes, nextHopSelf: &nextHopSelf, localAS: localAS)
            }
            switch rule.decision {
            case .accept: return .accepted(attributes, nextHopSelf: nextHopSelf)
            case .reject: return .rejected(reason: "policy \"\(name)\" rule \(index + 1) rejects \(prefix)")
            case .next: continue
            }
        }
        guard acceptsByDefault else {
            return .rejected(reason: defaultRejectReason ?? "policy \"\(name)\" rejects \(prefix) by default")
        }
        return .accepted(attributes, nextHopSelf: nextHopSelf)
    }

    /// Checks that every action can be applied: prepends of 1 to 32.
    public func validate() throws(BGPPolicyError) {
        for (index, rule) in rules.enumerated() {
            for case .prependASPath(let count) in rule.actions where !(1...32).contains(count) {
                throw BGPPolicyError(policy: name, problem: "rule \(index + 1) prepends \(count) times, not 1 to 32")
            }
        }
    }

    /// "policy \"tor-in\": 3 rules, default reject".
    public var description: String {
        "policy \"\(name)\": \(rules.count) rules, default \(acceptsByDefault ? "accept" : "reject")"
    }

    private static func apply(
        _ action: BGPPolicyAction, to attributes: inout PathAttributes, nextHopSelf: inout Bool, localAS: UInt32
    ) {
        switch action {
        case .addCommunity(let community):
            if !attributes.communities.contains(community) { attributes.communities.append(community) }
        case .addLargeCommunity(let community):
            if !attributes.largeCommunities.contains(community) { attributes.largeCommunities.append(community) }
        case .prependASPath(let count):
            attributes.asPath = (attributes.asPath ?? ASPath()).prepending(localAS, count: count)
        case .nextHopSelf:
            nextHopSelf = true
        case .setLocalPreference(let value):
            attributes.localPreference = value
        case .setMED(let value):
            attributes.multiExitDiscriminator = value
        }
    }
}
