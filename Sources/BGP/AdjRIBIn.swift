/// The routes one peer announced and import policy accepted, with their graceful-restart marks.
/// Attribute references are counted by the `LocRIB` that owns this table.
public struct AdjRIBIn: Sendable {
    /// One route of the peer.
    public struct Entry: Hashable, Sendable {
        /// The interned attributes, after import policy.
        public var attributes: AttributeSet
        /// Kept by graceful restart and not yet announced again.
        public var stale: Bool
    }

    /// The routes by prefix.
    public private(set) var routes: [BGPPrefix: Entry] = [:]

    /// An empty table.
    public init() {}

    /// How many routes the peer has here.
    public var count: Int { routes.count }

    /// How many of them are stale.
    public var staleCount: Int { routes.values.reduce(0) { $0 + ($1.stale ? 1 : 0) } }

    /// Sets a prefix's route (no longer stale), returning the entry it replaces.
    mutating func set(_ prefix: BGPPrefix, _ attributes: AttributeSet) -> Entry? {
        routes.updateValue(Entry(attributes: attributes, stale: false), forKey: prefix)
    }

    /// Removes a prefix's route, returning it.
    mutating func remove(_ prefix: BGPPrefix) -> Entry? {
        routes.removeValue(forKey: prefix)
    }

    /// Marks every route of these families stale.
    mutating func markStale(_ families: Set<BGPAddress.Family>) {
        // Through indices, so the table is changed in place rather than copied while iterated.
        var index = routes.startIndex
        while index != routes.endIndex {
            if families.contains(routes.keys[index].family) { routes.values[index].stale = true }
            routes.formIndex(after: &index)
        }
    }

    /// Removes the routes of these families that are still stale and returns them.
    mutating func removeStale(_ families: Set<BGPAddress.Family>) -> [(BGPPrefix, Entry)] {
        let gone = routes.filter { $0.value.stale && families.contains($0.key.family) }
        for prefix in gone.keys { routes[prefix] = nil }
        return gone.map { ($0.key, $0.value) }
    }

    /// Removes every route of these families and returns them.
    mutating func removeAll(_ families: Set<BGPAddress.Family>) -> [(BGPPrefix, Entry)] {
        let gone = routes.filter { families.contains($0.key.family) }
        for prefix in gone.keys { routes[prefix] = nil }
        return gone.map { ($0.key, $0.value) }
    }
}
