import Testing

@testable import BGP

/// Export to one peer: the RFC 4271 / RFC 4456 rules, policy, and the UPDATEs that come out.
@Suite struct AdjRIBOutTests {
    typealias R = RIBFixtures

    static let selfAddress = BGPAddress("10.0.0.1")!

    static func out(
        to peer: BGPRouteSource, policy: BGPPolicy = .acceptAll, families: [AFISAFI] = [.ipv4Unicast, .ipv6Unicast],
        ipv6NextHop: MultiprotocolNextHop? = MultiprotocolNextHop(global: BGPAddress("2001:db8::1")!)
    ) -> AdjRIBOut {
        AdjRIBOut(
            peer: peer, localAS: R.localAS, clusterID: 0x0101_0101, ipv4NextHop: selfAddress,
            ipv6NextHop: ipv6NextHop, families: families,
            codecContext: BGPCodecContext(fourOctetAS: true, externalPeer: peer.kind == .external),
            exportPolicy: policy)
    }

    /// A route from `source` with the given attributes.
    static func route(
        _ source: BGPRouteSource, _ attributes: PathAttributes, prefix: String = "10.1.0.0/24"
    ) -> BGPRoute {
        var table = AttributeTable()
        return BGPRoute(prefix: BGPPrefix(prefix)!, source: source, attributes: table.intern(attributes))
    }

    @Test func toAnExternalPeerOurASIsPrependedTheNextHopIsOursAndLocalAttributesGo() throws {
        let out = Self.out(to: R.external("10.0.0.9", as: 65009))
        let learned = Self.route(
            R.internal("10.0.0.5", client: true),
            R.attributes(
                path: [65001], nextHop: "10.0.0.2", localPreference: 200, med: 7, originatorID: 5, clusterList: [9]))
        let exported = try out.export(learned).get()
        #expect(exported.attributes.asPath == ASPath(sequence: [R.localAS, 65001]))
        #expect(exported.attributes.nextHop == Self.selfAddress)
        #expect(exported.attributes.localPreference == nil)
        #expect(exported.attributes.multiExitDiscriminator == nil, "a learned MED is not passed to another AS")
        #expect(exported.attributes.originatorID == nil)
        #expect(exported.attributes.clusterList.isEmpty)
    }

    @Test func toAnInternalPeerNothingIsPrependedAndLocalPreferenceStays() throws {
        let out = Self.out(to: R.internal("10.0.0.5"))
        let fromExternal = try out.export(Self.route(R.external("10.0.0.2"), R.attributes(localPreference: 120))).get()
        #expect(fromExternal.attributes.asPath == ASPath(sequence: [65001]))
        #expect(fromExternal.attributes.localPreference == 120)
        #expect(fromExternal.attributes.nextHop == R.address("10.0.0.2"), "an external next hop passes unchanged")
        let withoutPreference = try out.export(Self.route(R.external("10.0.0.2"), R.attributes())).get()
        #expect(withoutPreference.attributes.localPreference == 100)

        let local = Self.route(.local(routerID: R.routerID, localAS: R.localAS), PathAttributes(origin: .igp))
        let ours = try out.export(local).get()
        #expect(ours.attributes.nextHop == Self.selfAddress, "our own routes carry our address")
        #expect(ours.attributes.asPath == ASPath())
    }

    @Test func internalRoutesAreReflectedOnlyWithAClientWithOriginatorAndClusterList() throws {
        let fromNonClient = Self.route(R.internal("10.0.0.5", id: 0x0a00_0005), R.attributes())
        let fromClient = Self.route(R.internal("10.0.0.6", id: 0x0a00_0006, client: true), R.attributes())
        let toNonClient = Self.out(to: R.internal("10.0.0.7"))
        let toClient = Self.out(to: R.internal("10.0.0.8", client: true))

        #expect(throws: ExportRefusal.self) { try toNonClient.export(fromNonClient).get() }
        let reflected = try toNonClient.export(fromClient).get()
        #expect(reflected.attributes.originatorID == 0x0a00_0006)
        #expect(reflected.attributes.clusterList == [0x0101_0101])
        let toClientRoute = try toClient.export(fromNonClient).get()
        #expect(toClientRoute.attributes.originatorID == 0x0a00_0005)

        let alreadyReflected = Self.route(
            R.internal("10.0.0.6", id: 0x0a00_0006, client: true),
            R.attributes(originatorID: 0x0a00_0042, clusterList: [3]))
        let again = try toClient.export(alreadyReflected).get()
        #expect(again.attributes.originatorID == 0x0a00_0042, "the first reflector's ORIGINATOR_ID stays")
        #expect(again.attributes.clusterList == [0x0101_0101, 3])
    }

    @Test func routesAreNotSentBackNorAgainstWellKnownCommunities() {
        let peer = R.external("10.0.0.2")
        let out = Self.out(to: peer)
        #expect(throws: ExportRefusal.self) { try out.export(Self.route(peer, R.attributes())).get() }
        let noExport = Self.route(R.external("10.0.0.3"), R.attributes(communities: [.noExport]))
        #expect(throws: ExportRefusal.self) { try out.export(noExport).get() }
        let noAdvertise = Self.route(R.external("10.0.0.3"), R.attributes(communities: [.noAdvertise]))
        #expect(throws: ExportRefusal.self) { try Self.out(to: R.internal("10.0.0.5")).export(noAdvertise).get() }
        #expect((try? Self.out(to: R.internal("10.0.0.5")).export(noExport).get()) != nil, "NO_EXPORT stays in the AS")
    }

    @Test func exportPolicyActionsApplyAfterTheStandardRules() throws {
        let policy = BGPPolicy(
            name: "to-tor",
            rules: [
                BGPPolicyRule(
                    prefixes: [BGPPrefixPattern("10.0.0.0/8+")!],
                    actions: [
                        .prependASPath(count: 2), .setMED(30), .addCommunity(BGPCommunity(asn: 65000, value: 7)),
                    ],
                    decision: .accept)
            ], acceptsByDefault: false)
        let out = Self.out(to: R.external("10.0.0.9", as: 65009), policy: policy)
        let exported = try out.export(Self.route(R.external("10.0.0.2"), R.attributes(med: 99))).get()
        #expect(exported.attributes.asPath == ASPath(sequence: [R.localAS, R.localAS, R.localAS, 65001]))
        #expect(exported.attributes.multiExitDiscriminator == 30, "the policy's MED survives the stripping")
        #expect(exported.attributes.communities == [BGPCommunity(asn: 65000, value: 7)])
        #expect(throws: ExportRefusal.self) {
            try out.export(Self.route(R.external("10.0.0.2"), R.attributes(), prefix: "192.168.0.0/24")).get()
        }
    }

    /// With a policy that has rules the export is worked out per route; routes that export alike
    /// share one set, those the policy refuses are not sent, and withdrawing everything leaves no
    /// set behind.
    @Test func routesThroughAPolicyWithRulesShareTheirSetAndLeaveNothingBehind() {
        let policy = BGPPolicy(
            name: "to-tor",
            rules: [
                BGPPolicyRule(
                    prefixes: [BGPPrefixPattern("10.0.0.0/8+")!],
                    actions: [.addCommunity(BGPCommunity(asn: 65000, value: 7))], decision: .accept)
            ], acceptsByDefault: false)
        var out = Self.out(to: R.external("10.0.0.9", as: 65009), policy: policy)
        let source = R.external("10.0.0.2")
        var table = AttributeTable()
        let set = table.intern(R.attributes())
        let kept = (0..<500).map { BGPPrefix(address: BGPAddress(ipv4: 0x0a00_0000 + UInt32($0) << 8), length: 24)! }
        let refused = (0..<500).map {
            BGPPrefix(address: BGPAddress(ipv4: 0xc0a8_0000 + UInt32($0) << 8), length: 24)!
        }
        let updates = out.apply(
            (kept + refused).map { .bestChanged(BGPRoute(prefix: $0, source: source, attributes: set)) })
        #expect(Set(updates.flatMap(\.announced)) == Set(kept))
        #expect(out.advertisedCount == 500)
        #expect(out.attributeTable.count == 1)
        #expect(out.advertised.allSatisfy { $0.attributes.communities == [BGPCommunity(asn: 65000, value: 7)] })
        let withdrawals = out.apply((kept + refused).map { .withdrawn($0) })
        #expect(Set(withdrawals.flatMap(\.withdrawn)) == Set(kept))
        #expect(out.advertisedCount == 0)
        #expect(out.attributeTable.count == 0)
    }

    @Test func rfc8212DefaultExportsNothingToAnExternalPeer() {
        let policy = BGPPolicy.effective(nil, direction: .export, peer: "10.0.0.9 (AS 65009)", external: true)
        let out = Self.out(to: R.external("10.0.0.9", as: 65009), policy: policy)
        let local = Self.route(.local(routerID: R.routerID, localAS: R.localAS), PathAttributes(origin: .igp))
        guard case .failure(let refusal) = out.export(local) else {
            Issue.record("exported without a policy")
            return
        }
        #expect(refusal.reason.contains("RFC 8212"))
        let internalDefault = BGPPolicy.effective(nil, direction: .export, peer: "10.0.0.5", external: false)
        #expect((try? Self.out(to: R.internal("10.0.0.5"), policy: internalDefault).export(local).get()) != nil)
    }

    @Test func ipv6RoutesGoWithTheSessionsIPv6NextHop() throws {
        let out = Self.out(to: R.external("10.0.0.9", as: 65009))
        let local = Self.route(
            .local(routerID: R.routerID, localAS: R.localAS), PathAttributes(origin: .igp), prefix: "2001:db8:5::/48")
        let exported = try out.export(local).get()
        #expect(exported.multiprotocolNextHop == MultiprotocolNextHop(global: R.address("2001:db8::1")))
        #expect(exported.attributes.nextHop == nil)
        let noSix = Self.out(to: R.external("10.0.0.9", as: 65009), ipv6NextHop: nil)
        #expect(throws: ExportRefusal.self) { try noSix.export(local).get() }
        let ipv4Only = Self.out(to: R.external("10.0.0.9", as: 65009), families: [.ipv4Unicast])
        #expect(throws: ExportRefusal.self) { try ipv4Only.export(local).get() }
    }

    @Test func manyRoutesWithOneAttributeSetArePackedAndDecodeBack() throws {
        var rib = R.rib()
        let source = R.external("10.0.0.2")
        rib.peerUp(source, importPolicy: .acceptAll)
        let prefixes = (0..<3000).map {
            BGPPrefix(address: BGPAddress(ipv4: 0x0b00_0000 + UInt32($0) << 8), length: 24)!
        }
        _ = rib.apply(BGPUpdate(attributes: R.attributes(), announced: prefixes), from: source.address)
        var out = Self.out(to: R.internal("10.0.0.5"), families: [.ipv4Unicast])
        let updates = out.initialAdvertisement(rib)
        #expect(updates.last == .endOfRIB(.ipv4Unicast))
        let announcements = updates.dropLast()
        // 3000 × 4 bytes of NLRI need at least 3 messages of 4096 bytes; first-fit needs no more.
        #expect(announcements.count == 3)
        var received: [BGPPrefix] = []
        for update in announcements {
            let bytes = BGPMessage.update(update).encode(context: out.codecContext)
            #expect(bytes.count <= 4096)
            let decoded = try BGPMessage.decode(bytes[...], context: out.codecContext)
            guard case .update(.clean(let back)) = decoded else {
                Issue.record("decoded \(decoded)")
                return
            }
            #expect(back.attributes.localPreference == 100)
            #expect(back.attributes.nextHop == R.address("10.0.0.2"))
            received += back.announced
        }
        #expect(received.sorted() == prefixes.sorted())
        #expect(out.attributeTable.count == 1)
        #expect(out.advertised.count == 3000)

        #expect(out.apply(rib.bestRoutes.map { .bestChanged($0) }).isEmpty, "nothing new, nothing sent")
        let withdrawals = out.apply(prefixes.prefix(1000).map { .withdrawn($0) })
        #expect(withdrawals.count == 1, "1000 withdrawals fit one message")
        #expect(withdrawals.first?.withdrawn.count == 1000)
        #expect(out.advertised.count == 2000)
        #expect(out.refresh(.ipv4Unicast).flatMap(\.announced).count == 2000)
    }

    @Test func aChangedRouteIsReannouncedAndARefusedOneWithdrawn() throws {
        var out = Self.out(to: R.external("10.0.0.9", as: 65009))
        let prefix = R.prefix("10.1.0.0/24")
        let first = Self.route(R.external("10.0.0.2"), R.attributes())
        #expect(out.apply([.bestChanged(first)]).flatMap(\.announced) == [prefix])
        let changed = Self.route(R.external("10.0.0.2"), R.attributes(path: [65001, 65002]))
        let reannounced = out.apply([.bestChanged(changed)])
        #expect(reannounced.count == 1)
        #expect(reannounced.first?.attributes.asPath == ASPath(sequence: [R.localAS, 65001, 65002]))
        let refused = Self.route(R.external("10.0.0.2"), R.attributes(communities: [.noExport]))
        #expect(out.apply([.bestChanged(refused)]) == [BGPUpdate(withdrawn: [prefix])])
        #expect(out.apply([.withdrawn(prefix)]).isEmpty, "nothing left to withdraw")
    }
}
