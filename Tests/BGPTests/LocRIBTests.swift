import RudderLab
import Testing

@testable import BGP

/// The Loc-RIB: import with loop checks and policy, best-route changes, graceful restart marks.
@Suite struct LocRIBTests {
    typealias R = RIBFixtures

    @Test func anAnnouncementBecomesBestAndAWithdrawalRemovesIt() throws {
        var rib = R.rib()
        let peer = R.external("10.0.0.2")
        rib.peerUp(peer, importPolicy: .acceptAll)
        let prefix = R.prefix("10.1.0.0/24")
        let summary = rib.apply(BGPUpdate(attributes: R.attributes(), announced: [prefix]), from: peer.address)
        #expect(summary.accepted == 1)
        let route = try #require(rib.best(for: prefix))
        #expect(summary.changes == [.bestChanged(route)])
        #expect(route.source == peer)
        #expect(route.attributes.attributes == R.attributes())

        let repeated = rib.apply(BGPUpdate(attributes: R.attributes(), announced: [prefix]), from: peer.address)
        #expect(repeated.changes.isEmpty, "the same route again changes nothing")

        let withdrawal = rib.apply(BGPUpdate(withdrawn: [prefix]), from: peer.address)
        #expect(withdrawal.changes == [.withdrawn(prefix)])
        #expect(rib.best(for: prefix) == nil)
        #expect(rib.attributeTable.count == 0)
    }

    @Test func aBetterRouteFromAnotherPeerTakesOverAndTheOldOneReturnsWhenItGoes() throws {
        var rib = R.rib()
        let a = R.external("10.0.0.2", as: 65001)
        let b = R.external("10.0.0.3", as: 65002, id: 0x0a00_0009)
        rib.peerUp(a, importPolicy: .acceptAll)
        rib.peerUp(b, importPolicy: .acceptAll)
        let prefix = R.prefix("10.1.0.0/24")
        _ = rib.apply(BGPUpdate(attributes: R.attributes(path: [65001, 1]), announced: [prefix]), from: a.address)
        let takeover = rib.apply(
            BGPUpdate(attributes: R.attributes(path: [65002], nextHop: "10.0.0.3"), announced: [prefix]),
            from: b.address)
        #expect(takeover.changes.map(\.prefix) == [prefix])
        #expect(rib.best(for: prefix)?.source == b)
        let back = rib.apply(BGPUpdate(withdrawn: [prefix]), from: b.address)
        #expect(back.changes.count == 1)
        #expect(rib.best(for: prefix)?.source == a)
        #expect(rib.candidates(for: prefix).count == 1)
    }

    @Test func ipv6RoutesKeepTheirMultiprotocolNextHop() throws {
        var rib = R.rib()
        let peer = R.external("10.0.0.2")
        rib.peerUp(peer, importPolicy: .acceptAll)
        let prefix = R.prefix("2001:db8:1::/48")
        let nextHop = MultiprotocolNextHop(global: R.address("2001:db8::2"), linkLocal: R.address("fe80::2"))
        let update = BGPUpdate(
            attributes: PathAttributes(origin: .igp, asPath: ASPath(sequence: [65001])),
            multiprotocolReach: MultiprotocolReach(family: .ipv6Unicast, nextHop: nextHop, prefixes: [prefix]))
        _ = rib.apply(update, from: peer.address)
        #expect(rib.best(for: prefix)?.attributes.nextHop == R.address("2001:db8::2"))
        _ = rib.apply(
            BGPUpdate(multiprotocolUnreach: MultiprotocolUnreach(family: .ipv6Unicast, prefixes: [prefix])),
            from: peer.address)
        #expect(rib.best(for: prefix) == nil)
    }

    @Test func aTreatAsWithdrawOutcomeRemovesItsPrefixes() throws {
        var rib = R.rib()
        let peer = R.external("10.0.0.2")
        rib.peerUp(peer, importPolicy: .acceptAll)
        let prefix = R.prefix("10.1.0.0/24")
        _ = rib.apply(BGPUpdate(attributes: R.attributes(), announced: [prefix]), from: peer.address)
        // The same prefix again, now with an ORIGIN of 7: RFC 7606 makes it a withdrawal.
        let body = WireBytes.updateBody(
            attributes: [WireBytes.attribute(0x40, 1, [7]), WireBytes.asPath4, WireBytes.nextHop], nlri: WireBytes.nlri)
        let outcome = BGPUpdate.decode(body: body[...], context: WireBytes.external4)
        guard case .treatAsWithdraw(let update, _) = outcome else {
            Issue.record("decoded \(outcome)")
            return
        }
        let summary = rib.apply(update, from: peer.address)
        #expect(summary.changes == [.withdrawn(prefix)])
        #expect(rib.routeCount(from: peer.address) == 0)
    }

    @Test func loopsAreDropped() {
        var rib = LocRIB(options: .init(localAS: R.localAS, routerID: R.routerID, clusterID: 0x0101_0101))
        let external = R.external("10.0.0.2")
        let internalPeer = R.internal("10.0.0.5")
        rib.peerUp(external, importPolicy: .acceptAll)
        rib.peerUp(internalPeer, importPolicy: .acceptAll)
        let prefix = R.prefix("10.1.0.0/24")
        let cases: [(String, BGPAddress, PathAttributes)] = [
            ("our AS in an external path", external.address, R.attributes(path: [65001, R.localAS, 65003])),
            ("our router ID as ORIGINATOR_ID", internalPeer.address, R.attributes(originatorID: R.routerID)),
            ("our cluster ID in CLUSTER_LIST", internalPeer.address, R.attributes(clusterList: [7, 0x0101_0101])),
        ]
        for (name, from, attributes) in cases {
            let summary = rib.apply(BGPUpdate(attributes: attributes, announced: [prefix]), from: from)
            #expect(summary.looped == 1, "\(name)")
            #expect(summary.accepted == 0, "\(name)")
            #expect(summary.loopReason != nil, "\(name)")
            #expect(rib.best(for: prefix) == nil, "\(name)")
        }
        let clean = rib.apply(
            BGPUpdate(attributes: R.attributes(originatorID: 0x0a00_0063, clusterList: [7]), announced: [prefix]),
            from: internalPeer.address)
        #expect(clean.accepted == 1, "a reflected route from elsewhere is fine")
    }

    @Test func aLoopingReplacementWithdrawsTheRouteItReplaces() {
        var rib = R.rib()
        let peer = R.external("10.0.0.2")
        rib.peerUp(peer, importPolicy: .acceptAll)
        let prefix = R.prefix("10.1.0.0/24")
        _ = rib.apply(BGPUpdate(attributes: R.attributes(), announced: [prefix]), from: peer.address)
        let summary = rib.apply(
            BGPUpdate(attributes: R.attributes(path: [65001, R.localAS]), announced: [prefix]), from: peer.address)
        #expect(summary.changes == [.withdrawn(prefix)])
    }

    @Test func rfc8212DefaultImportsNothingFromAnExternalPeerAndSaysWhy() {
        var rib = R.rib()
        let peer = R.external("10.0.0.2")
        let policy = BGPPolicy.effective(nil, direction: .import, peer: "10.0.0.2 (AS 65001)", external: true)
        rib.peerUp(peer, importPolicy: policy)
        let summary = rib.apply(
            BGPUpdate(attributes: R.attributes(), announced: [R.prefix("10.1.0.0/24"), R.prefix("10.2.0.0/24")]),
            from: peer.address)
        #expect(summary.filtered == 2)
        #expect(summary.accepted == 0)
        #expect(summary.filterReason?.contains("RFC 8212") == true)
        #expect(summary.filterReason?.contains("10.0.0.2") == true)
        #expect(rib.prefixCount == 0)
    }

    @Test func importPolicyChangesAreWhatTheRIBKeeps() throws {
        var rib = R.rib()
        let peer = R.external("10.0.0.2")
        let policy = BGPPolicy(
            name: "tor-in",
            rules: [
                BGPPolicyRule(
                    prefixes: [BGPPrefixPattern("10.0.0.0/8{16,24}")!], actions: [.setLocalPreference(300)],
                    decision: .accept)
            ], acceptsByDefault: false)
        rib.peerUp(peer, importPolicy: policy)
        let summary = rib.apply(
            BGPUpdate(attributes: R.attributes(), announced: [R.prefix("10.1.0.0/24"), R.prefix("10.1.2.128/25")]),
            from: peer.address)
        #expect(summary.accepted == 1)
        #expect(summary.filtered == 1)
        #expect(rib.best(for: R.prefix("10.1.0.0/24"))?.attributes.attributes.localPreference == 300)
    }

    @Test func originatedRoutesWinAndLearnedOnesReturnWhenTheyGo() {
        var rib = R.rib()
        let peer = R.external("10.0.0.2")
        rib.peerUp(peer, importPolicy: .acceptAll)
        let prefix = R.prefix("10.244.1.0/24")
        _ = rib.apply(BGPUpdate(attributes: R.attributes(), announced: [prefix]), from: peer.address)
        let originated = rib.originate(prefix)
        #expect(originated.count == 1)
        #expect(rib.best(for: prefix)?.source.kind == .local)
        let withdrawn = rib.withdrawOriginated(prefix)
        #expect(withdrawn.count == 1)
        #expect(rib.best(for: prefix)?.source == peer)
    }

    @Test func gracefulRestartKeepsRoutesStaleAndPurgesWhatWasNotRefreshed() throws {
        var rib = R.rib()
        let peer = R.external("10.0.0.2")
        rib.peerUp(peer, importPolicy: .acceptAll)
        let kept = R.prefix("10.1.0.0/24")
        let dropped = R.prefix("10.2.0.0/24")
        let ipv6 = R.prefix("2001:db8:1::/48")
        _ = rib.apply(BGPUpdate(attributes: R.attributes(), announced: [kept, dropped]), from: peer.address)
        _ = rib.apply(
            BGPUpdate(
                attributes: PathAttributes(origin: .igp, asPath: ASPath(sequence: [65001])),
                multiprotocolReach: MultiprotocolReach(
                    family: .ipv6Unicast, nextHop: MultiprotocolNextHop(global: R.address("2001:db8::2")),
                    prefixes: [ipv6])), from: peer.address)

        let down = rib.peerDown(peer.address, retainedFamilies: [.ipv4Unicast])
        #expect(down == [.withdrawn(ipv6)], "only the retained family stays")
        #expect(rib.best(for: kept)?.stale == true)
        #expect(rib.staleRouteCount(from: peer.address) == 2)

        rib.peerUp(peer, importPolicy: .acceptAll)
        let refreshed = rib.apply(BGPUpdate(attributes: R.attributes(), announced: [kept]), from: peer.address)
        #expect(refreshed.changes.isEmpty, "the same route refreshed is no change for the kernel")
        #expect(rib.best(for: kept)?.stale == false)

        let purged = rib.purgeStale(peer.address, families: [.ipv4Unicast])
        #expect(purged == [.withdrawn(dropped)])
        #expect(rib.best(for: kept) != nil)
        #expect(rib.staleRouteCount(from: peer.address) == 0)
    }

    @Test func aPeerDownWithoutGracefulRestartWithdrawsEverything() {
        var rib = R.rib()
        let peer = R.external("10.0.0.2")
        rib.peerUp(peer, importPolicy: .acceptAll)
        let prefixes = [R.prefix("10.1.0.0/24"), R.prefix("10.2.0.0/24")]
        _ = rib.apply(BGPUpdate(attributes: R.attributes(), announced: prefixes), from: peer.address)
        let down = rib.peerDown(peer.address, retainedFamilies: [])
        #expect(Set(down) == Set(prefixes.map { LocRIBChange.withdrawn($0) }))
        #expect(rib.routeCount(from: peer.address) == nil)
        #expect(rib.attributeTable.count == 0)
        #expect(rib.apply(BGPUpdate(attributes: R.attributes(), announced: prefixes), from: peer.address).accepted == 0)
    }
}
