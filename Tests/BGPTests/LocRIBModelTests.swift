import Testing

@testable import BGP

/// The Loc-RIB against a plain model of every source's routes, over random sequences of
/// announcements, withdrawals, originations, peers going down with and without graceful restart,
/// and stale purges: the best route of every prefix must be what the decision process picks from
/// the model's candidates, and replaying the reported changes must give the same table.
@Suite struct LocRIBModelTests {
    typealias R = RIBFixtures

    private struct Held: Hashable {
        var variant: Int
        var stale: Bool
    }

    private static let peers = [
        R.external("10.0.0.2", as: 65001, id: 0x0a00_0002),
        R.external("10.0.0.3", as: 65002, id: 0x0a00_0003),
        R.internal("10.0.0.4", id: 0x0a00_0004),
    ]
    private static let ipv6NextHop = MultiprotocolNextHop(global: R.address("2001:db8::2"))
    private static let prefixes =
        (0..<6).map { R.prefix("10.\($0).0.0/24") } + [R.prefix("2001:db8:1::/48"), R.prefix("2001:db8:2::/48")]

    /// Attribute variants that the decision process ranks in different ways; IPv6 routes have
    /// their next hop in MP_REACH_NLRI instead.
    private static func attributes(_ variant: Int, for prefix: BGPPrefix) -> PathAttributes {
        var attributes =
            switch variant {
            case 0: R.attributes(path: [65001])
            case 1: R.attributes(path: [65001, 65010], localPreference: 200)
            case 2: R.attributes(path: [65003], med: 50)
            default: R.attributes(path: [65001], origin: .incomplete)
            }
        if prefix.family == .ipv6 { attributes.nextHop = nil }
        return attributes
    }

    private static func update(_ prefix: BGPPrefix, variant: Int) -> BGPUpdate {
        guard prefix.family == .ipv6 else {
            return BGPUpdate(attributes: attributes(variant, for: prefix), announced: [prefix])
        }
        return BGPUpdate(
            attributes: attributes(variant, for: prefix),
            multiprotocolReach: MultiprotocolReach(family: .ipv6Unicast, nextHop: ipv6NextHop, prefixes: [prefix]))
    }

    @Test(arguments: [UInt64(11), 12, 13, 14])
    func bestRoutesFollowTheModelThroughRandomOperations(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        var rib = R.rib()
        // Peers the RIB takes routes from: up, or down with routes kept by graceful restart (the
        // session layer delivers nothing from a peer that is down).
        var known = Set<Int>()
        // Source index (-1 for our own routes) to prefix to what it holds.
        var model: [Int: [BGPPrefix: Held]] = [:]
        var replayed: [BGPPrefix: BGPRoute] = [:]
        func replay(_ changes: [LocRIBChange]) {
            for change in changes {
                switch change {
                case .bestChanged(let route): replayed[route.prefix] = route
                case .withdrawn(let prefix): replayed[prefix] = nil
                }
            }
        }
        for step in 0..<3_000 {
            let peer = Int.random(in: 0..<Self.peers.count, using: &generator)
            let source = Self.peers[peer]
            let prefix = Self.prefixes.randomElement(using: &generator)!
            let variant = Int.random(in: 0..<4, using: &generator)
            let operation = Int.random(in: 0..<100, using: &generator)
            switch operation {
            case 0..<40:
                replay(rib.apply(Self.update(prefix, variant: variant), from: source.address).changes)
                if known.contains(peer) { model[peer, default: [:]][prefix] = Held(variant: variant, stale: false) }
            case 40..<60:
                let update =
                    prefix.family == .ipv4
                    ? BGPUpdate(withdrawn: [prefix])
                    : BGPUpdate(
                        attributes: PathAttributes(),
                        multiprotocolUnreach: MultiprotocolUnreach(family: .ipv6Unicast, prefixes: [prefix]))
                replay(rib.apply(update, from: source.address).changes)
                if known.contains(peer) { model[peer]?[prefix] = nil }
            case 60..<70:
                replay(
                    rib.originate(
                        prefix, attributes: Self.attributes(variant, for: prefix),
                        multiprotocolNextHop: prefix.family == .ipv6 ? Self.ipv6NextHop : nil))
                model[-1, default: [:]][prefix] = Held(variant: variant, stale: false)
            case 70..<75:
                replay(rib.withdrawOriginated(prefix))
                model[-1]?[prefix] = nil
            case 75..<85:
                rib.peerUp(source, importPolicy: .acceptAll)
                known.insert(peer)
            case 85..<92:
                let retained: [AFISAFI] = Bool.random(using: &generator) ? [.ipv4Unicast] : []
                replay(rib.peerDown(source.address, retainedFamilies: retained))
                if retained.isEmpty {
                    known.remove(peer)
                    model[peer] = nil
                } else {
                    model[peer] = model[peer]?.filter { $0.key.family == .ipv4 }.mapValues {
                        Held(variant: $0.variant, stale: true)
                    }
                }
            default:
                replay(rib.purgeStale(source.address, families: [.ipv4Unicast, .ipv6Unicast]))
                model[peer] = model[peer]?.filter { !$0.value.stale }
            }
            try Self.expect(rib, matches: model, replayed: replayed, step: step)
        }
        // Everything withdrawn, nothing may be left behind.
        for (index, source) in Self.peers.enumerated() {
            replay(rib.peerDown(source.address, retainedFamilies: []))
            model[index] = nil
        }
        for prefix in Self.prefixes { replay(rib.withdrawOriginated(prefix)) }
        #expect(rib.prefixCount == 0)
        #expect(replayed.isEmpty)
        #expect(rib.attributeTable.count == 0, "every attribute set was released")
    }

    private static func expect(
        _ rib: LocRIB, matches model: [Int: [BGPPrefix: Held]], replayed: [BGPPrefix: BGPRoute], step: Int
    ) throws {
        for prefix in prefixes {
            let candidates = rib.candidates(for: prefix)
            var expected: [String: Held] = [:]
            for (source, routes) in model {
                guard let held = routes[prefix] else { continue }
                expected[source < 0 ? "local" : "\(peers[source].address)"] = held
            }
            var actual: [String: Held] = [:]
            for route in candidates {
                let variant = (0..<4).first { attributes($0, for: prefix) == route.attributes.attributes }
                let key = route.source.kind == .local ? "local" : "\(route.source.address)"
                actual[key] = Held(variant: try #require(variant, "step \(step)"), stale: route.stale)
            }
            #expect(actual == expected, "step \(step): \(prefix)")
            let best = BGPDecisionProcess.best(of: candidates)
            #expect(rib.best(for: prefix) == best, "step \(step): \(prefix) best")
            #expect(candidates.first == best, "step \(step): \(prefix) best first")
            #expect(replayed[prefix]?.source == best?.source, "step \(step): \(prefix) replayed source")
            #expect(replayed[prefix]?.attributes === best?.attributes, "step \(step): \(prefix) replayed attributes")
        }
        for (index, source) in peers.enumerated() {
            let held = model[index] ?? [:]
            if let count = rib.routeCount(from: source.address) {
                #expect(count == held.count, "step \(step): \(source.address) count")
                #expect(rib.staleRouteCount(from: source.address) == held.values.filter(\.stale).count)
                #expect(rib.routes(from: source.address).map(\.prefix) == held.keys.sorted())
            } else {
                #expect(held.isEmpty, "step \(step): \(source.address) forgotten with routes")
            }
        }
    }
}
