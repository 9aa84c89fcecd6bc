/// The route selection of RFC 4271 §9.1.2.2 (with RFC 4456's reflection tie-breakers), done as
/// the RFC describes it: each step removes the routes it does not prefer from the whole set, so
/// the MED step, which compares only routes from the same neighbouring AS, gives the same answer
/// whatever order the candidates come in.
public enum BGPDecisionProcess {
    /// The LOCAL_PREF assumed for a route without one (internal routes should carry it).
    public static let defaultLocalPreference: UInt32 = 100

    /// The best of the candidates for one prefix, or nil when there are none. In order:
    /// locally originated routes win; then highest LOCAL_PREF; shortest AS_PATH (a set counts 1);
    /// lowest ORIGIN; lowest MED among routes from the same neighbouring AS (or among all with
    /// `alwaysCompareMED`; a missing MED is 0); external over internal; lowest ORIGINATOR_ID or
    /// peer BGP identifier; shortest CLUSTER_LIST; lowest peer address. IGP cost to the next hop
    /// is not considered.
    public static func best(of candidates: [BGPRoute], alwaysCompareMED: Bool = false) -> BGPRoute? {
        guard candidates.count > 1 else { return candidates.first }
        var remaining = candidates
        func keep(_ isPreferred: (BGPRoute) -> Bool) {
            let kept = remaining.filter(isPreferred)
            if !kept.isEmpty { remaining = kept }
        }
        func keepLowest<Value: Comparable>(_ value: (BGPRoute) -> Value) {
            guard remaining.count > 1, let lowest = remaining.map(value).min() else { return }
            remaining.removeAll { value($0) != lowest }
        }
        keep { $0.source.kind == .local }
        keepLowest { UInt32.max - ($0.attributes.attributes.localPreference ?? defaultLocalPreference) }
        keepLowest { $0.attributes.attributes.asPath?.length ?? 0 }
        keepLowest { $0.attributes.attributes.origin ?? .incomplete }
        if remaining.count > 1 {
            let groups = Dictionary(grouping: remaining) {
                alwaysCompareMED ? nil : $0.attributes.attributes.asPath?.neighborAS
            }
            var lowestMED: [UInt32?: UInt32] = [:]
            for (neighbor, routes) in groups {
                lowestMED[neighbor] = routes.map { $0.attributes.attributes.multiExitDiscriminator ?? 0 }.min()
            }
            remaining.removeAll { route in
                let neighbor = alwaysCompareMED ? nil : route.attributes.attributes.asPath?.neighborAS
                return (route.attributes.attributes.multiExitDiscriminator ?? 0) != lowestMED[neighbor]
            }
        }
        keep { $0.source.kind == .external }
        keepLowest { $0.attributes.attributes.originatorID ?? $0.source.identifier }
        keepLowest { $0.attributes.attributes.clusterList.count }
        keepLowest { $0.source.address }
        return remaining.first
    }
}
