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
    /// What the peer has been sent, by prefix.
    public private(set) var advertised: [BGPPrefix: AttributeSet] = [:]

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

    /// Brings the peer up to date with these Loc-RIB changes and returns the UPDATEs to send.
    public mutating func apply(_ changes: [LocRIBChange]) -> [BGPUpdate] {
        var desired: [BGPPrefix: AttributeSet.Exported?] = [:]
        for change in changes {
            switch change {
            case .withdrawn(let prefix):
                desired[prefix] = .some(nil)
            case .bestChanged(let route):
                desired[route.prefix] = .some(try? export(route).get())
            }
        }
        return updates(for: desired)
    }

    /// Every route of the Loc-RIB, for a session just Established, followed by End-of-RIB for each
    /// negotiated family (RFC 4724 §2).
    public mutating func initialAdvertisement(_ locRIB: LocRIB) -> [BGPUpdate] {
        apply(locRIB.best.values.map { .bestChanged($0) }) + families.map { BGPUpdate.endOfRIB($0) }
    }

    /// Everything advertised in a family again, for a ROUTE-REFRESH request.
    public func refresh(_ family: AFISAFI) -> [BGPUpdate] {
        guard let prefixFamily = family.prefixFamily else { return [] }
        return Self.announcements(advertised.filter { $0.key.family == prefixFamily }, context: codecContext)
    }

    private mutating func updates(for desired: [BGPPrefix: AttributeSet.Exported?]) -> [BGPUpdate] {
        var withdrawals: [BGPPrefix] = []
        var announced: [BGPPrefix: AttributeSet] = [:]
        var last: AttributeSet?
        for (prefix, wanted) in desired {
            let old = advertised[prefix]
            guard let wanted else {
                if let old {
                    advertised[prefix] = nil
                    attributeTable.release(old)
                    withdrawals.append(prefix)
                }
                continue
            }
            if let old, old.attributes == wanted.attributes, old.multiprotocolNextHop == wanted.multiprotocolNextHop {
                continue
            }
            let set: AttributeSet
            if let last, last.attributes == wanted.attributes, last.multiprotocolNextHop == wanted.multiprotocolNextHop
            {
                attributeTable.retain(last)
                set = last
            } else {
                set = attributeTable.intern(wanted.attributes, multiprotocolNextHop: wanted.multiprotocolNextHop)
                last = set
            }
            if let old { attributeTable.release(old) }
            advertised[prefix] = set
            announced[prefix] = set
        }
        return BGPUpdatePacker.withdrawals(withdrawals.sorted(), context: codecContext)
            + Self.announcements(announced, context: codecContext)
    }

    /// UPDATEs for these routes, one group per attribute set, groups in prefix order.
    private static func announcements(_ routes: [BGPPrefix: AttributeSet], context: BGPCodecContext) -> [BGPUpdate] {
        var groups: [ObjectIdentifier: (set: AttributeSet, prefixes: [BGPPrefix])] = [:]
        for (prefix, set) in routes { groups[ObjectIdentifier(set), default: (set, [])].prefixes.append(prefix) }
        return groups.values.map { ($0.set, $0.prefixes.sorted()) }.sorted { $0.1[0] < $1.1[0] }.flatMap {
            BGPUpdatePacker.announcements(
                $0.1, attributes: $0.0.attributes, ipv6NextHop: $0.0.multiprotocolNextHop, context: context)
        }
    }
}
