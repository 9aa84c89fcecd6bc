/// The Loc-RIB and the Adj-RIBs-In that feed it: every peer's accepted routes, this speaker's own,
/// and the best route of each prefix. Each change returns the list of best-route changes it caused.
///
/// The Adj-RIBs-In and the Loc-RIB share one table, as in BIRD: each prefix has one entry holding
/// the path of every source that has it, best first, so a prefix costs one entry however many
/// tables it is in. A path is one word (source slot, attribute slot, stale mark) and a prefix with
/// one path keeps it inline; this is what lets a full table of a million prefixes fit in tens of
/// megabytes (docs/architecture.md, "The RIB").
///
/// On import it drops routes that loop (our AS in the AS_PATH of an external route; our router ID
/// as ORIGINATOR_ID or our cluster ID in the CLUSTER_LIST of an internal one, RFC 4456 §8), runs
/// the peer's import policy, and interns the attribute sets, so routes with identical attributes
/// share one copy.
public struct LocRIB: Sendable {
    /// Speaker-wide settings.
    public struct Options: Hashable, Sendable {
        /// Our AS.
        public var localAS: UInt32
        /// Our BGP identifier.
        public var routerID: UInt32
        /// Our cluster ID as a route reflector; nil means the router ID.
        public var clusterID: UInt32?
        /// Compare MED between routes from different neighbouring ASes too.
        public var alwaysCompareMED: Bool

        /// Options from their parts.
        public init(localAS: UInt32, routerID: UInt32, clusterID: UInt32? = nil, alwaysCompareMED: Bool = false) {
            self.localAS = localAS
            self.routerID = routerID
            self.clusterID = clusterID
            self.alwaysCompareMED = alwaysCompareMED
        }
    }

    /// What one UPDATE did.
    public struct ImportSummary: Hashable, Sendable {
        /// Best-route changes in the order they happened; a prefix named twice (withdrawn and
        /// announced in one UPDATE) ends as its last change says.
        public var changes: [LocRIBChange] = []
        /// Prefixes accepted into the Adj-RIB-In.
        public var accepted = 0
        /// Prefixes withdrawn by the peer (including treat-as-withdraw).
        public var withdrawn = 0
        /// Prefixes import policy rejected.
        public var filtered = 0
        /// The reason the first rejected prefix was rejected, worth a log line.
        public var filterReason: String?
        /// Prefixes dropped because their path loops back to us.
        public var looped = 0
        /// Why they loop.
        public var loopReason: String?
    }

    private struct Peer: Sendable {
        /// The peer's source slot, which its paths name.
        var slot: Int
        var importPolicy: BGPPolicy
        /// How many paths it has in the table.
        var routes = 0
        /// How many of them are stale.
        var staleRoutes = 0
    }

    /// The settings.
    public let options: Options
    /// The interned attribute sets of every route held.
    public private(set) var attributeTable = AttributeTable()
    /// Every prefix's `RIBEntry`.
    private var table = PrefixTable()
    /// The paths of prefixes with more than one, best first; an entry's `.many` index points here.
    private var pathLists: [[RIBPath]] = []
    private var freePathLists: [Int] = []
    private var peers: [BGPAddress: Peer] = [:]
    /// Where the paths of each source slot come from; slot 0 is this speaker. Freed slots keep
    /// their last source until reused, and no path names them.
    private var sources: [BGPRouteSource]
    private var freeSources: [Int] = []
    private static let localSlot = 0

    /// An empty RIB.
    public init(options: Options) {
        self.options = options
        self.sources = [.local(routerID: options.routerID, localAS: options.localAS)]
    }

    // MARK: Queries

    /// How many prefixes have a best route.
    public var prefixCount: Int { table.count }

    /// The best route of a prefix.
    public func best(for prefix: BGPPrefix) -> BGPRoute? {
        table[prefix].map { route(prefix, bestPath(RIBEntry(rawValue: $0))) }
    }

    /// Calls `body` with the best route of every prefix, in no particular order.
    public func forEachBest(_ body: (BGPRoute) throws -> Void) rethrows {
        try table.forEach { prefix, raw in try body(route(prefix, bestPath(RIBEntry(rawValue: raw)))) }
    }

    /// The best route of every prefix, in prefix order.
    public var bestRoutes: [BGPRoute] {
        var routes: [BGPRoute] = []
        routes.reserveCapacity(table.count)
        forEachBest { routes.append($0) }
        return routes.sorted { $0.prefix < $1.prefix }
    }

    /// Every route held for a prefix, ours and each peer's, the best first.
    public func candidates(for prefix: BGPPrefix) -> [BGPRoute] {
        guard let raw = table[prefix] else { return [] }
        switch RIBEntry(rawValue: raw) {
        case .one(let path): return [route(prefix, path)]
        case .many(let index): return pathLists[index].map { route(prefix, $0) }
        }
    }

    /// How many routes the peer has here (its Adj-RIB-In after import policy); nil for an unknown peer.
    public func routeCount(from peer: BGPAddress) -> Int? { peers[peer]?.routes }

    /// How many of the peer's routes are stale; nil for an unknown peer.
    public func staleRouteCount(from peer: BGPAddress) -> Int? { peers[peer]?.staleRoutes }

    /// The peer's routes (its Adj-RIB-In after import policy), in prefix order.
    public func routes(from peer: BGPAddress) -> [BGPRoute] {
        guard let slot = peers[peer]?.slot else { return [] }
        var routes: [BGPRoute] = []
        table.forEach { prefix, raw in
            if let path = path(of: slot, in: RIBEntry(rawValue: raw)) { routes.append(route(prefix, path)) }
        }
        return routes.sorted { $0.prefix < $1.prefix }
    }

    // MARK: Peers

    /// A session with the peer is up: routes from it are accepted under `importPolicy`. A peer
    /// coming back from a graceful restart keeps its stale routes until it refreshes them.
    public mutating func peerUp(_ source: BGPRouteSource, importPolicy: BGPPolicy) {
        if let slot = peers[source.address]?.slot {
            sources[slot] = source
            peers[source.address]?.importPolicy = importPolicy
            return
        }
        let slot = freeSources.popLast() ?? sources.count
        precondition(slot < RIBPath.sourceLimit, "more than \(RIBPath.sourceLimit - 1) peers")
        if slot == sources.count { sources.append(source) } else { sources[slot] = source }
        peers[source.address] = Peer(slot: slot, importPolicy: importPolicy)
    }

    /// A configured peer's session is Established: its import policy (RFC 8212's default when none
    /// is configured) applies from now on. Returns the policy, whose name says when it is the default.
    @discardableResult
    public mutating func peerUp(_ configuration: BGPPeerConfiguration, session: BGPNegotiatedSession) -> BGPPolicy {
        let policy = BGPPolicy.effective(
            configuration.importPolicy, direction: .import, peer: configuration.name, external: session.isExternal)
        peerUp(BGPRouteSource(peer: configuration, session: session), importPolicy: policy)
        return policy
    }

    /// Applies an UPDATE the peer's session delivered: withdrawals, then announcements through the
    /// loop checks and import policy. An UPDATE from a peer that is not up changes nothing.
    public mutating func apply(_ update: BGPUpdate, from peerAddress: BGPAddress) -> ImportSummary {
        var summary = ImportSummary()
        guard var peer = peers[peerAddress] else { return summary }
        for prefix in update.allWithdrawn {
            summary.withdrawn += 1
            if let old = setPath(nil, source: peer.slot, prefix: prefix, changes: &summary.changes) {
                forget(old, of: &peer)
            }
        }
        var batches: [([BGPPrefix], MultiprotocolNextHop?)] = []
        if !update.announced.isEmpty { batches.append((update.announced, nil)) }
        if let reach = update.multiprotocolReach, reach.family.prefixFamily != nil, !reach.prefixes.isEmpty {
            batches.append((reach.prefixes, reach.nextHop))
        }
        let loop = loopReason(update.attributes, from: sources[peer.slot])
        // A loop, or a policy without rules, answers every prefix of the UPDATE alike: it is
        // asked for the first only, which spares a million prefixes a copy of their attributes.
        let uniform = loop != nil || peer.importPolicy.rules.isEmpty
        for (prefixes, nextHop) in batches {
            var last: AttributeSet?
            var uniformRejection: String?
            for prefix in prefixes {
                let result: BGPPolicyResult
                if uniform, let last {
                    summary.accepted += 1
                    attributeTable.retain(slot: last.slot)
                    accept(prefix, last, from: &peer, changes: &summary.changes)
                    continue
                } else if uniform, let uniformRejection {
                    result = .rejected(reason: uniformRejection)
                } else if let loop {
                    result = .rejected(reason: loop)
                } else {
                    result = peer.importPolicy.evaluate(prefix, update.attributes, localAS: options.localAS)
                }
                switch result {
                case .accepted(let attributes, _):
                    summary.accepted += 1
                    let set: AttributeSet
                    if let last, last.attributes == attributes, last.multiprotocolNextHop == nextHop {
                        attributeTable.retain(slot: last.slot)
                        set = last
                    } else {
                        set = attributeTable.intern(attributes, multiprotocolNextHop: nextHop)
                        last = set
                    }
                    accept(prefix, set, from: &peer, changes: &summary.changes)
                case .rejected(let reason):
                    if uniform { uniformRejection = reason }
                    if loop != nil {
                        summary.looped += 1
                        summary.loopReason = summary.loopReason ?? reason
                    } else {
                        summary.filtered += 1
                        summary.filterReason = summary.filterReason ?? reason
                    }
                    // A route the peer replaces with one we refuse is gone, not kept in its old form.
                    if let old = setPath(nil, source: peer.slot, prefix: prefix, changes: &summary.changes) {
                        forget(old, of: &peer)
                    }
                }
            }
        }
        peers[peerAddress] = peer
        return summary
    }

    /// The peer's session ended. Routes of `retainedFamilies` (graceful restart) stay, marked
    /// stale; the others are removed. With no family retained the peer is forgotten.
    public mutating func peerDown(_ peerAddress: BGPAddress, retainedFamilies: [AFISAFI]) -> [LocRIBChange] {
        guard var peer = peers[peerAddress] else { return [] }
        let retained = Set(retainedFamilies.compactMap(\.prefixFamily))
        var changes: [LocRIBChange] = []
        if peer.routes > 0 {
            changes = sweep(&peer) { prefix, path in retained.contains(prefix.family) ? path.marked(stale: true) : nil }
        }
        if retained.isEmpty {
            peers[peerAddress] = nil
            freeSources.append(peer.slot)
        } else {
            peers[peerAddress] = peer
        }
        return changes
    }

    /// Removes the peer's routes of these families that are still stale (its End-of-RIB arrived,
    /// or graceful restart ran out of time).
    public mutating func purgeStale(_ peerAddress: BGPAddress, families: [AFISAFI]) -> [LocRIBChange] {
        guard var peer = peers[peerAddress], peer.staleRoutes > 0 else { return [] }
        let purged = Set(families.compactMap(\.prefixFamily))
        let changes = sweep(&peer) { prefix, path in path.stale && purged.contains(prefix.family) ? nil : path }
        peers[peerAddress] = peer
        return changes
    }

    // MARK: Our own routes

    /// Originates a route of this speaker (a pod CIDR, a service VIP); it wins over learned ones.
    /// Without a next hop, export sets the session's own address.
    public mutating func originate(
        _ prefix: BGPPrefix, attributes: PathAttributes = PathAttributes(origin: .igp, asPath: ASPath()),
        multiprotocolNextHop: MultiprotocolNextHop? = nil
    ) -> [LocRIBChange] {
        let set = attributeTable.intern(attributes, multiprotocolNextHop: multiprotocolNextHop)
        var changes: [LocRIBChange] = []
        let path = RIBPath(attributeSlot: set.slot, source: Self.localSlot)
        if let old = setPath(path, source: Self.localSlot, prefix: prefix, changes: &changes) {
            attributeTable.release(slot: old.attributeSlot)
        }
        return changes
    }

    /// Stops originating a prefix.
    public mutating func withdrawOriginated(_ prefix: BGPPrefix) -> [LocRIBChange] {
        var changes: [LocRIBChange] = []
        if let old = setPath(nil, source: Self.localSlot, prefix: prefix, changes: &changes) {
            attributeTable.release(slot: old.attributeSlot)
        }
        return changes
    }

    /// Why a route from this peer loops back to us, if it does.
    private func loopReason(_ attributes: PathAttributes, from source: BGPRouteSource) -> String? {
        switch source.kind {
        case .local:
            return nil
        case .external:
            guard attributes.asPath?.contains(options.localAS) == true else { return nil }
            return "AS path \(attributes.asPath ?? ASPath()) from \(source) holds our AS \(options.localAS)"
        case .internal:
            if attributes.originatorID == options.routerID {
                return "ORIGINATOR_ID from \(source) is our router ID"
            }
            let clusterID = options.clusterID ?? options.routerID
            if attributes.clusterList.contains(clusterID) {
                return "CLUSTER_LIST from \(source) holds our cluster ID \(BGPAddress(ipv4: clusterID))"
            }
            return nil
        }
    }

    // MARK: The table

    private func route(_ prefix: BGPPrefix, _ path: RIBPath) -> BGPRoute {
        BGPRoute(
            prefix: prefix, source: sources[path.source], attributes: attributeTable[slot: path.attributeSlot],
            stale: path.stale)
    }

    private func bestPath(_ entry: RIBEntry) -> RIBPath {
        switch entry {
        case .one(let path): path
        case .many(let index): pathLists[index][0]
        }
    }

    private func path(of source: Int, in entry: RIBEntry) -> RIBPath? {
        switch entry {
        case .one(let path): path.source == source ? path : nil
        case .many(let index): pathLists[index].first { $0.source == source }
        }
    }

    /// Sets the peer's path for a prefix to an attribute set it holds a new reference to.
    private mutating func accept(
        _ prefix: BGPPrefix, _ set: AttributeSet, from peer: inout Peer, changes: inout [LocRIBChange]
    ) {
        let path = RIBPath(attributeSlot: set.slot, source: peer.slot)
        // Released after the new set is held, so a changed route never gets its old slot back.
        if let old = setPath(path, source: peer.slot, prefix: prefix, changes: &changes) {
            attributeTable.release(slot: old.attributeSlot)
            if old.stale { peer.staleRoutes -= 1 }
        } else {
            peer.routes += 1
        }
    }

    /// A path of the peer's went away: its attribute reference is dropped and the peer's counts follow.
    private mutating func forget(_ path: RIBPath, of peer: inout Peer) {
        attributeTable.release(slot: path.attributeSlot)
        peer.routes -= 1
        if path.stale { peer.staleRoutes -= 1 }
    }

    /// Puts `new` in place of the source's path for a prefix (nil removes it), appends the change
    /// of best route it causes, and returns the path it replaced. References to attribute sets
    /// are the caller's to take and drop.
    private mutating func setPath(
        _ new: RIBPath?, source: Int, prefix: BGPPrefix, changes: inout [LocRIBChange]
    ) -> RIBPath? {
        let raw = table[prefix]
        let (replacement, old) = replacing(raw, source: source, with: new, prefix: prefix, changes: &changes)
        if replacement != raw { table[prefix] = replacement }
        return old
    }

    /// `setPath` on an entry's word: returns the new word (nil when no path is left) and the
    /// path replaced.
    private mutating func replacing(
        _ raw: UInt64?, source: Int, with new: RIBPath?, prefix: BGPPrefix, changes: inout [LocRIBChange]
    ) -> (raw: UInt64?, old: RIBPath?) {
        guard let raw else {
            guard let new else { return (nil, nil) }
            changes.append(.bestChanged(route(prefix, new)))
            return (RIBEntry.one(new).rawValue, nil)
        }
        switch RIBEntry(rawValue: raw) {
        case .one(let only) where only.source == source:
            guard let new else {
                changes.append(.withdrawn(prefix))
                return (nil, only)
            }
            // A route that only turned stale, or back, changes nothing a driver acts on.
            if new.attributeSlot != only.attributeSlot { changes.append(.bestChanged(route(prefix, new))) }
            return (RIBEntry.one(new).rawValue, only)
        case .one(let other):
            guard let new else { return (raw, nil) }
            var paths = [other, new]
            reselect(prefix, &paths, previousBest: other, changes: &changes)
            let index = freePathLists.popLast() ?? pathLists.count
            if index == pathLists.count { pathLists.append(paths) } else { pathLists[index] = paths }
            return (RIBEntry.many(index).rawValue, nil)
        case .many(let index):
            // Taken out of the lists while changed, so the array is not copied.
            var paths = pathLists[index]
            pathLists[index] = []
            let previousBest = paths[0]
            let position = paths.firstIndex { $0.source == source }
            let old = position.map { paths[$0] }
            switch (position, new) {
            case (nil, nil):
                pathLists[index] = paths
                return (raw, nil)
            case (let position?, let new?): paths[position] = new
            case (let position?, nil): paths.remove(at: position)
            case (nil, let new?): paths.append(new)
            }
            reselect(prefix, &paths, previousBest: previousBest, changes: &changes)
            if paths.count == 1 {
                freePathLists.append(index)
                return (RIBEntry.one(paths[0]).rawValue, old)
            }
            pathLists[index] = paths
            return (raw, old)
        }
    }

    /// Runs the decision process over a prefix's paths, moves the best to the front, and appends
    /// a change when it differs from `previousBest` in source or attributes.
    private func reselect(
        _ prefix: BGPPrefix, _ paths: inout [RIBPath], previousBest: RIBPath, changes: inout [LocRIBChange]
    ) {
        if paths.count > 1 {
            let routes = paths.map { route(prefix, $0) }
            if let best = BGPDecisionProcess.best(of: routes, alwaysCompareMED: options.alwaysCompareMED),
                let index = routes.firstIndex(of: best)
            {
                paths.swapAt(0, index)
            }
        }
        let best = paths[0]
        if best.source != previousBest.source || best.attributeSlot != previousBest.attributeSlot {
            changes.append(.bestChanged(route(prefix, best)))
        }
    }

    /// Passes every path of the peer through `change` (nil removes it) in one sweep of the table,
    /// keeping the peer's counts and the attribute references, and returns the best-route changes.
    private mutating func sweep(_ peer: inout Peer, _ change: (BGPPrefix, RIBPath) -> RIBPath?) -> [LocRIBChange] {
        var changes: [LocRIBChange] = []
        let slot = peer.slot
        // Taken out while swept, so the closure may change the rest of the RIB.
        var swept = PrefixTable()
        swap(&swept, &table)
        swept.updateAll { prefix, raw in
            guard let path = path(of: slot, in: RIBEntry(rawValue: raw)) else { return raw }
            let new = change(prefix, path)
            guard new != path else { return raw }
            let (replacement, _) = replacing(raw, source: slot, with: new, prefix: prefix, changes: &changes)
            if let new {
                if new.stale != path.stale { peer.staleRoutes += new.stale ? 1 : -1 }
            } else {
                forget(path, of: &peer)
            }
            return replacement
        }
        swap(&swept, &table)
        return changes
    }
}
