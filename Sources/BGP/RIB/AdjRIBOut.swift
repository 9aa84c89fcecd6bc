/// What one peer has been sent: the Loc-RIB's best routes after the export rules and the peer's
/// export policy. Fed with `LocRIBChange` lists, it returns the UPDATEs that bring the peer up to
/// date, packed by `BGPUpdatePacker` (the prefixes that share an attribute set go together,
/// withdrawals first).
///
/// Export rules (RFC 4271 §5.1, RFC 4456, RFC 1997): a route is not sent back to the peer it came
/// from, nor with NO_ADVERTISE, nor with NO_EXPORT to an external peer. To an external peer our AS
/// is prepended, the next hop is our own address, and LOCAL_PREF, ORIGINATOR_ID, CLUSTER_LIST and a
/// MED learned from another peer are removed. To an internal peer LOCAL_PREF is kept (100 when
/// missing) and the next hop is left alone (ours for our own routes); routes learned from an
/// internal peer are only reflected when that peer or this one is a route-reflector client, with
/// ORIGINATOR_ID set and our cluster ID prepended to CLUSTER_LIST. The export policy runs last.
public struct AdjRIBOut: Sendable {
    /// The peer routes are sent to.
    public let peer: BGPRouteSource
    /// Our AS.
    public let localAS: UInt32
    /// The cluster ID put in CLUSTER_LIST when reflecting.
    public let clusterID: UInt32
    /// The next hop of IPv4 routes when it is ourselves: the session's local address.
    public let ipv4NextHop: BGPAddress?
    /// The next hop of IPv6 routes when it is ourselves.
    public let ipv6NextHop: MultiprotocolNextHop?
    /// The families negotiated with the peer.
    public let families: [AFISAFI]
    /// How the session encodes UPDATEs.
    public let codecContext: BGPCodecContext
    /// The export policy in effect (RFC 8212's default when none was configured).
    public let exportPolicy: BGPPolicy

    /// The attribute sets sent, interned.
    public private(set) var attributeTable = AttributeTable()
    /// What the peer has been sent: each prefix's slot in `attributeTable`.
    private var sent = PrefixTable()

    /// An empty Adj-RIB-Out with every setting spelled out.
    public init(
        peer: BGPRouteSource, localAS: UInt32, clusterID: UInt32, ipv4NextHop: BGPAddress?,
        ipv6NextHop: MultiprotocolNextHop?, families: [AFISAFI], codecContext: BGPCodecContext, exportPolicy: BGPPolicy
    ) {
        self.peer = peer
        self.localAS = localAS
        self.clusterID = clusterID
        self.ipv4NextHop = ipv4NextHop
        self.ipv6NextHop = ipv6NextHop
        self.families = families
        self.codecContext = codecContext
        self.exportPolicy = exportPolicy
    }

    /// The Adj-RIB-Out of an Established session; `localAddress` is the connection's own address
    /// (the next hop of its family), `ipv6NextHop` the one for IPv6 routes on an IPv4 session.
    public init(
        configuration: BGPPeerConfiguration, session: BGPNegotiatedSession, localAddress: BGPAddress,
        ipv6NextHop: MultiprotocolNextHop? = nil
    ) {
        let source = BGPRouteSource(peer: configuration, session: session)
        self.init(
            peer: source, localAS: configuration.localAS, clusterID: configuration.effectiveClusterID,
            ipv4NextHop: localAddress.family == .ipv4 ? localAddress : nil,
            ipv6NextHop: ipv6NextHop
                ?? (localAddress.family == .ipv6 ? MultiprotocolNextHop(global: localAddress) : nil),
            families: session.families, codecContext: session.codecContext,
            exportPolicy: BGPPolicy.effective(
                configuration.exportPolicy, direction: .export, peer: configuration.name, external: session.isExternal))
    }

    /// The attributes (and IPv6 next hop) the peer gets for a route, or why it gets none.
    public func export(_ route: BGPRoute) -> Result<AttributeSet.Exported, ExportRefusal> {
        let source = route.source
        func refuse(_ reason: String) -> Result<AttributeSet.Exported, ExportRefusal> {
            .failure(ExportRefusal(prefix: route.prefix, reason: reason))
        }
        if source.kind != .local && source.address == peer.address { return refuse("learned from this peer") }
        guard families.contains(.unicast(route.prefix.family)) else {
            return refuse("family \(AFISAFI.unicast(route.prefix.family)) is not negotiated")
        }
        var attributes = route.attributes.attributes
        var nextHop = route.attributes.multiprotocolNextHop
        if attributes.communities.contains(.noAdvertise) { return refuse("it carries NO_ADVERTISE") }
        var nextHopSelf = source.kind == .local
        // ORIGIN and AS_PATH are mandatory in every announcement (RFC 4271 §5.1.1-2), even for a
        // route we originated without them.
        attributes.origin = attributes.origin ?? .incomplete
        attributes.asPath = attributes.asPath ?? ASPath()
        switch peer.kind {
        case .external, .local:
            if attributes.communities.contains(.noExport) { return refuse("it carries NO_EXPORT") }
            attributes.asPath = attributes.asPath?.prepending(localAS)
            attributes.localPreference = nil
            attributes.originatorID = nil
            attributes.clusterList = []
            if source.kind != .local { attributes.multiExitDiscriminator = nil }
            nextHopSelf = true
        case .internal:
            if source.kind == .internal {
                guard source.routeReflectorClient || peer.routeReflectorClient else {
                    return refuse(
                        "learned from internal peer \(source.address), and neither is a route-reflector client")
                }
                attributes.originatorID = attributes.originatorID ?? source.identifier
                attributes.clusterList.insert(clusterID, at: 0)
            }
            attributes.localPreference = attributes.localPreference ?? BGPDecisionProcess.defaultLocalPreference
        }
        switch exportPolicy.evaluate(route.prefix, attributes, localAS: localAS) {
        case .rejected(let reason):
            return refuse(reason)
        case .accepted(let changed, let policyNextHopSelf):
            attributes = changed
            nextHopSelf = nextHopSelf || policyNextHopSelf
        }
        switch route.prefix.family {
        case .ipv4:
            if nextHopSelf {
                guard let ipv4NextHop else { return refuse("the session has no IPv4 address to use as next hop") }
                attributes.nextHop = ipv4NextHop
            }
            nextHop = nil
            guard attributes.nextHop != nil else { return refuse("it has no IPv4 next hop") }
        case .ipv6:
            if nextHopSelf {
                guard let ipv6NextHop else { return refuse("the session has no IPv6 address to use as next hop") }
                nextHop = ipv6NextHop
            }
            attributes.nextHop = nil
            guard nextHop != nil else { return refuse("it has no IPv6 next hop") }
        }
        return .success(AttributeSet.Exported(attributes: attributes, multiprotocolNextHop: nextHop))
    }

    /// How many prefixes the peer has been sent.
    public var advertisedCount: Int { sent.count }

    /// What the peer has been sent, in prefix order.
    public var advertised: [BGPAdvertisedRoute] {
        var routes: [BGPAdvertisedRoute] = []
        routes.reserveCapacity(sent.count)
        sent.forEach { prefix, slot in
            let set = attributeTable[slot: Int(slot)]
            routes.append(
                BGPAdvertisedRoute(
                    prefix: prefix, attributes: set.attributes, multiprotocolNextHop: set.multiprotocolNextHop))
        }
        return routes.sorted { $0.prefix < $1.prefix }
    }

    /// Brings the peer up to date with these Loc-RIB changes and returns the UPDATEs to send.
    /// When a prefix changes more than once, its last change counts.
    public mutating func apply(_ changes: [LocRIBChange]) -> [BGPUpdate] {
        apply(batches: [changes])
    }

    /// `apply` for the speaker's batches of changes, in order, without joining them first.
    ///
    /// Concrete, not generic over a sequence: the speaker lives in another module, where a
    /// generic function of this one runs unspecialized, looking up type metadata for every change
    /// (it cost the speaker a third more CPU in `rudder-bench bgp-ingest`).
    public mutating func apply(batches: [[LocRIBChange]]) -> [BGPUpdate] {
        var batch = Batch()
        // Only the changes that may send something are kept, the last of each prefix: most of a
        // speaker's changes are routes this peer is not sent (its own, coming back) and never was.
        var kept = PrefixTable()
        var wanted: [(prefix: BGPPrefix, slot: Int?)] = []
        for change in batches.joined() {
            let slot: Int?
            switch change {
            case .withdrawn: slot = nil
            case .bestChanged(let route): slot = exportedSlot(route, in: &batch)
            }
            let prefix = change.prefix
            if let index = kept[prefix].map({ Int($0) }) {
                if let replaced = wanted[index].slot { attributeTable.release(slot: replaced) }
                wanted[index].slot = slot
            } else if slot != nil || sent[prefix] != nil {
                kept[prefix] = UInt64(wanted.count)
                wanted.append((prefix, slot))
            }
        }
        for (prefix, slot) in wanted { bring(prefix, to: slot, in: &batch) }
        return finish(batch)
    }

    /// Every route of the Loc-RIB, for a session just Established, followed by End-of-RIB for each
    /// negotiated family (RFC 4724 §2).
    public mutating func initialAdvertisement(_ locRIB: LocRIB) -> [BGPUpdate] {
        var batch = Batch()
        locRIB.forEachBest { bring($0.prefix, to: exportedSlot($0, in: &batch), in: &batch) }
        return finish(batch) + families.map { BGPUpdate.endOfRIB($0) }
    }

    /// Everything advertised in a family again, for a ROUTE-REFRESH request.
    public func refresh(_ family: AFISAFI) -> [BGPUpdate] {
        guard let prefixFamily = family.prefixFamily else { return [] }
        var groups: [Int: [BGPPrefix]] = [:]
        sent.forEach { prefix, slot in
            if prefix.family == prefixFamily { groups[Int(slot), default: []].append(prefix) }
        }
        return announcements(groups)
    }

    /// The UPDATEs being gathered: withdrawals, announcements by attribute slot, and the exports
    /// already worked out.
    private struct Batch {
        var withdrawals: [BGPPrefix] = []
        var announcements: [Int: [BGPPrefix]] = [:]
        /// With an export policy that has no rules, what a route's export gives depends only on
        /// its attribute set, its source and its family; each slot here holds a reference until
        /// `finish`, so it cannot be freed and reused meanwhile.
        var exports: [ExportKey: Int?] = [:]
        /// The last of them, which most routes of a batch share.
        var lastExport: (key: ExportKey, slot: Int?)?
        /// With rules, the last attributes interned and their slot (referenced until `finish`):
        /// neighbouring routes mostly export alike, and comparing spares hashing them again.
        var lastInterned: (exported: AttributeSet.Exported, slot: Int)?
    }

    private struct ExportKey: Hashable {
        var attributes: ObjectIdentifier
        var source: BGPRouteSource
        var family: BGPAddress.Family
    }

    /// Puts the peer's view of a prefix in step with the attribute slot it should have (nil:
    /// none), whose reference the caller took.
    private mutating func bring(_ prefix: BGPPrefix, to wanted: Int?, in batch: inout Batch) {
        let old = sent[prefix].map { Int($0) }
        switch (old, wanted) {
        case (nil, nil):
            return
        case (let old?, nil):
            sent[prefix] = nil
            attributeTable.release(slot: old)
            batch.withdrawals.append(prefix)
        case (let old?, let new?) where old == new:
            attributeTable.release(slot: new)
        case (let old, let new?):
            sent[prefix] = UInt64(new)
            if let old { attributeTable.release(slot: old) }
            batch.announcements[new, default: []].append(prefix)
        }
    }

    /// The slot of the attribute set the peer gets for a route, with a reference taken for it;
    /// nil when the route is not exported.
    private mutating func exportedSlot(_ route: BGPRoute, in batch: inout Batch) -> Int? {
        guard exportPolicy.rules.isEmpty else {
            guard let exported = try? export(route).get() else { return nil }
            if let last = batch.lastInterned, last.exported == exported {
                attributeTable.retain(slot: last.slot)
                return last.slot
            }
            let slot = attributeTable.intern(exported.attributes, multiprotocolNextHop: exported.multiprotocolNextHop)
                .slot
            attributeTable.retain(slot: slot)
            if let replaced = batch.lastInterned { attributeTable.release(slot: replaced.slot) }
            batch.lastInterned = (exported, slot)
            return slot
        }
        let key = ExportKey(
            attributes: ObjectIdentifier(route.attributes), source: route.source, family: route.prefix.family)
        let known: Int??
        if let last = batch.lastExport, last.key == key {
            known = .some(last.slot)
        } else {
            known = batch.exports[key]
        }
        if let known {
            if let known { attributeTable.retain(slot: known) }
            batch.lastExport = (key, known)
            return known
        }
        let slot = intern(try? export(route).get())
        if let slot { attributeTable.retain(slot: slot) }
        batch.exports[key] = slot
        batch.lastExport = (key, slot)
        return slot
    }

    private mutating func intern(_ exported: AttributeSet.Exported?) -> Int? {
        guard let exported else { return nil }
        return attributeTable.intern(exported.attributes, multiprotocolNextHop: exported.multiprotocolNextHop).slot
    }

    /// The UPDATEs of a batch, withdrawals first, and the batch's own references dropped.
    private mutating func finish(_ batch: Batch) -> [BGPUpdate] {
        let updates =
            BGPUpdatePacker.withdrawals(batch.withdrawals.sorted(), context: codecContext)
            + announcements(batch.announcements)
        for case let slot? in batch.exports.values { attributeTable.release(slot: slot) }
        if let last = batch.lastInterned { attributeTable.release(slot: last.slot) }
        return updates
    }

    /// UPDATEs for these prefixes by attribute slot, one group per set, groups in prefix order.
    private func announcements(_ groups: [Int: [BGPPrefix]]) -> [BGPUpdate] {
        groups.map { ($0.key, $0.value.sorted()) }.sorted { $0.1[0] < $1.1[0] }.flatMap { slot, prefixes in
            let set = attributeTable[slot: slot]
            return BGPUpdatePacker.announcements(
                prefixes, attributes: set.attributes, ipv6NextHop: set.multiprotocolNextHop, context: codecContext)
        }
    }
}
