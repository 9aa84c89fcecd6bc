/// The Loc-RIB and the Adj-RIBs-In that feed it: every peer's accepted routes, this speaker's own,
/// and the best route of each prefix. Each change returns the list of best-route changes it caused.
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
        /// Best-route changes, one per prefix at most.
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
        var source: BGPRouteSource
        var importPolicy: BGPPolicy
        var adjRIBIn = AdjRIBIn()
    }

    /// The settings.
    public let options: Options
    /// The interned attribute sets of every route held.
    public private(set) var attributeTable = AttributeTable()
    /// The best route of each prefix.
    public private(set) var best: [BGPPrefix: BGPRoute] = [:]
    private var peers: [BGPAddress: Peer] = [:]
    private var originated: [BGPPrefix: AttributeSet] = [:]
    private let localSource: BGPRouteSource

    /// An empty RIB.
    public init(options: Options) {
        self.options = options
        self.localSource = .local(routerID: options.routerID, localAS: options.localAS)
    }

    /// The peer's accepted routes, if the peer is known.
    public func adjRIBIn(of peer: BGPAddress) -> AdjRIBIn? { peers[peer]?.adjRIBIn }

    /// Every route held for a prefix: ours and each peer's.
    public func candidates(for prefix: BGPPrefix) -> [BGPRoute] {
        var routes: [BGPRoute] = []
        if let local = originated[prefix] {
            routes.append(BGPRoute(prefix: prefix, source: localSource, attributes: local))
        }
        for peer in peers.values {
            if let entry = peer.adjRIBIn.routes[prefix] {
                routes.append(
                    BGPRoute(prefix: prefix, source: peer.source, attributes: entry.attributes, stale: entry.stale))
            }
        }
        return routes
    }

    /// A session with the peer is up: routes from it are accepted under `importPolicy`. A peer
    /// coming back from a graceful restart keeps its stale routes until it refreshes them.
    public mutating func peerUp(_ source: BGPRouteSource, importPolicy: BGPPolicy) {
        if peers[source.address] != nil {
            peers[source.address]?.source = source
            peers[source.address]?.importPolicy = importPolicy
        } else {
            peers[source.address] = Peer(source: source, importPolicy: importPolicy)
        }
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
        guard var peer = peers.removeValue(forKey: peerAddress) else { return summary }
        var touched: [BGPPrefix] = []
        for prefix in update.allWithdrawn {
            summary.withdrawn += 1
            if let old = peer.adjRIBIn.remove(prefix) {
                attributeTable.release(old.attributes)
                touched.append(prefix)
            }
        }
        var batches: [([BGPPrefix], MultiprotocolNextHop?)] = []
        if !update.announced.isEmpty { batches.append((update.announced, nil)) }
        if let reach = update.multiprotocolReach, reach.family.prefixFamily != nil, !reach.prefixes.isEmpty {
            batches.append((reach.prefixes, reach.nextHop))
        }
        let loop = loopReason(update.attributes, from: peer.source)
        for (prefixes, nextHop) in batches {
            var last: AttributeSet?
            for prefix in prefixes {
                let result: BGPPolicyResult =
                    if let loop {
                        .rejected(reason: loop)
                    } else {
                        peer.importPolicy.evaluate(prefix, update.attributes, localAS: options.localAS)
                    }
                switch result {
                case .accepted(let attributes, _):
                    summary.accepted += 1
                    let set: AttributeSet
                    if let last, last.attributes == attributes, last.multiprotocolNextHop == nextHop {
                        attributeTable.retain(last)
                        set = last
                    } else {
                        set = attributeTable.intern(attributes, multiprotocolNextHop: nextHop)
                        last = set
                    }
                    if let old = peer.adjRIBIn.set(prefix, set) { attributeTable.release(old.attributes) }
                    touched.append(prefix)
                case .rejected(let reason):
                    if loop != nil {
                        summary.looped += 1
                        summary.loopReason = summary.loopReason ?? reason
                    } else {
                        summary.filtered += 1
                        summary.filterReason = summary.filterReason ?? reason
                    }
                    // A route the peer replaces with one we refuse is gone, not kept in its old form.
                    if let old = peer.adjRIBIn.remove(prefix) {
                        attributeTable.release(old.attributes)
                        touched.append(prefix)
                    }
                }
            }
        }
        peers[peerAddress] = peer
        summary.changes = reselect(touched)
        return summary
    }

    /// The peer's session ended. Routes of `retainedFamilies` (graceful restart) stay, marked
    /// stale; the others are removed. With no family retained the peer is forgotten.
    public mutating func peerDown(_ peerAddress: BGPAddress, retainedFamilies: [AFISAFI]) -> [LocRIBChange] {
        guard var peer = peers.removeValue(forKey: peerAddress) else { return [] }
        let retained = Set(retainedFamilies.compactMap(\.prefixFamily))
        let gone = peer.adjRIBIn.removeAll(Set([BGPAddress.Family.ipv4, .ipv6]).subtracting(retained))
        for (_, entry) in gone { attributeTable.release(entry.attributes) }
        peer.adjRIBIn.markStale(retained)
        if !retained.isEmpty {
            for prefix in peer.adjRIBIn.routes.keys where best[prefix]?.source.address == peerAddress {
                best[prefix]?.stale = true
            }
            peers[peerAddress] = peer
        }
        return reselect(gone.map(\.0))
    }

    /// Removes the peer's routes of these families that are still stale (its End-of-RIB arrived,
    /// or graceful restart ran out of time).
    public mutating func purgeStale(_ peerAddress: BGPAddress, families: [AFISAFI]) -> [LocRIBChange] {
        guard var peer = peers.removeValue(forKey: peerAddress) else { return [] }
        let gone = peer.adjRIBIn.removeStale(Set(families.compactMap(\.prefixFamily)))
        for (_, entry) in gone { attributeTable.release(entry.attributes) }
        peers[peerAddress] = peer
        return reselect(gone.map(\.0))
    }

    /// Originates a route of this speaker (a pod CIDR, a service VIP); it wins over learned ones.
    /// Without a next hop, export sets the session's own address.
    public mutating func originate(
        _ prefix: BGPPrefix, attributes: PathAttributes = PathAttributes(origin: .igp, asPath: ASPath()),
        multiprotocolNextHop: MultiprotocolNextHop? = nil
    ) -> [LocRIBChange] {
        let set = attributeTable.intern(attributes, multiprotocolNextHop: multiprotocolNextHop)
        if let old = originated.updateValue(set, forKey: prefix) { attributeTable.release(old) }
        return reselect([prefix])
    }

    /// Stops originating a prefix.
    public mutating func withdrawOriginated(_ prefix: BGPPrefix) -> [LocRIBChange] {
        guard let old = originated.removeValue(forKey: prefix) else { return [] }
        attributeTable.release(old)
        return reselect([prefix])
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

    /// Runs the decision process for each prefix and returns the changes of best route.
    private mutating func reselect(_ prefixes: [BGPPrefix]) -> [LocRIBChange] {
        var changes: [LocRIBChange] = []
        var seen = Set<BGPPrefix>()
        for prefix in prefixes where seen.insert(prefix).inserted {
            let newBest = BGPDecisionProcess.best(
                of: candidates(for: prefix), alwaysCompareMED: options.alwaysCompareMED)
            let oldBest = best[prefix]
            switch (oldBest, newBest) {
            case (nil, nil):
                continue
            case (.some, nil):
                best[prefix] = nil
                changes.append(.withdrawn(prefix))
            case (let old, .some(let route)):
                best[prefix] = route
                // A route that only turned stale, or back, changes nothing a driver acts on.
                if old?.source != route.source || old?.attributes !== route.attributes {
                    changes.append(.bestChanged(route))
                }
            }
        }
        return changes
    }
}
