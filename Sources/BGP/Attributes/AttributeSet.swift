/// One interned set of path attributes (with the MP_REACH_NLRI next hop, for IPv6 routes): every
/// route that carries the same attributes holds the same instance, so a table of a million
/// prefixes announced with one attribute set keeps one copy of it. Made only by `AttributeTable`.
public final class AttributeSet: Hashable, Sendable, CustomStringConvertible {
    /// The path attributes.
    public let attributes: PathAttributes
    /// The next hop of an IPv6 (MP_REACH_NLRI) route; nil for IPv4 routes, whose next hop is in `attributes`.
    public let multiprotocolNextHop: MultiprotocolNextHop?
    /// This set's slot in the table that made it.
    let slot: Int

    init(_ key: Key, slot: Int) {
        self.attributes = key.attributes
        self.multiprotocolNextHop = key.multiprotocolNextHop
        self.slot = slot
    }

    /// What sets are interned by.
    struct Key: Hashable, Sendable {
        var attributes: PathAttributes
        var multiprotocolNextHop: MultiprotocolNextHop?
    }

    var key: Key { Key(attributes: attributes, multiprotocolNextHop: multiprotocolNextHop) }

    /// The next hop: MP_REACH_NLRI's global address for IPv6 routes, NEXT_HOP otherwise.
    public var nextHop: BGPAddress? { multiprotocolNextHop?.global ?? attributes.nextHop }

    /// Same attributes and next hop (the same instance, within one table).
    public static func == (lhs: AttributeSet, rhs: AttributeSet) -> Bool {
        lhs === rhs || (lhs.attributes == rhs.attributes && lhs.multiprotocolNextHop == rhs.multiprotocolNextHop)
    }

    /// Hashes the attributes and next hop.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(attributes)
        hasher.combine(multiprotocolNextHop)
    }

    /// "next hop 10.0.0.1, AS path 65001 65002, origin IGP".
    public var description: String {
        var parts: [String] = []
        if let nextHop = multiprotocolNextHop?.description ?? attributes.nextHop?.description {
            parts.append("next hop \(nextHop)")
        }
        if let path = attributes.asPath { parts.append("AS path \(path)") }
        if let origin = attributes.origin { parts.append("origin \(origin)") }
        if let localPreference = attributes.localPreference { parts.append("local preference \(localPreference)") }
        if let med = attributes.multiExitDiscriminator { parts.append("MED \(med)") }
        if !attributes.communities.isEmpty {
            parts.append("communities " + attributes.communities.map(\.description).joined(separator: " "))
        }
        return parts.joined(separator: ", ")
    }
}

extension AttributeSet {
    /// Attributes as exported to one peer, before interning.
    public struct Exported: Hashable, Sendable {
        /// The path attributes, NEXT_HOP set for IPv4 routes.
        public var attributes: PathAttributes
        /// The MP_REACH_NLRI next hop of IPv6 routes.
        public var multiprotocolNextHop: MultiprotocolNextHop?
    }
}
