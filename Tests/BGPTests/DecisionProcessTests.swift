import Testing

@testable import BGP

/// RFC 4271 §9.1.2.2 route selection, step by step: in each case the two routes tie on every
/// earlier step, and the winner is listed first.
@Suite struct DecisionProcessTests {
    typealias R = RIBFixtures

    /// Name, winner, loser.
    static func cases(_ table: inout AttributeTable) -> [(String, BGPRoute, BGPRoute)] {
        let peerA = R.external("10.0.0.2", as: 65001, id: 0x0a00_0002)
        let peerB = R.external("10.0.0.3", as: 65002, id: 0x0a00_0003)
        let peerC = R.external("10.0.0.4", as: 65001, id: 0x0a00_0004)
        let ibgp = R.internal("10.0.0.5", id: 0x0a00_0001)
        let local = BGPRouteSource.local(routerID: R.routerID, localAS: R.localAS)
        return [
            (
                "a local route wins over a better-looking learned one",
                R.route(&table, local, R.attributes(path: [], localPreference: 10)),
                R.route(&table, peerA, R.attributes(localPreference: 500))
            ),
            (
                "highest LOCAL_PREF", R.route(&table, peerB, R.attributes(path: [65002, 1, 2], localPreference: 200)),
                R.route(&table, peerA, R.attributes(localPreference: 150))
            ),
            (
                "a missing LOCAL_PREF counts as 100", R.route(&table, ibgp, R.attributes(path: [65009])),
                R.route(&table, peerA, R.attributes(localPreference: 99))
            ),
            (
                "shortest AS_PATH", R.route(&table, peerB, R.attributes(path: [65002])),
                R.route(&table, peerA, R.attributes(path: [65001, 65005]))
            ),
            (
                "an AS_SET counts one",
                R.route(
                    &table, peerB,
                    PathAttributes(
                        origin: .igp, asPath: ASPath([.init(.sequence, [65002]), .init(.set, [1, 2, 3, 4])]),
                        nextHop: R.address("10.0.0.3"))),
                R.route(&table, peerA, R.attributes(path: [65001, 7, 8]))
            ),
            (
                "lowest ORIGIN", R.route(&table, peerB, R.attributes(path: [65002], origin: .egp)),
                R.route(&table, peerA, R.attributes(path: [65001], origin: .incomplete))
            ),
            (
                "lowest MED from the same neighbouring AS", R.route(&table, peerC, R.attributes(path: [65001], med: 5)),
                R.route(&table, peerA, R.attributes(path: [65001], med: 10))
            ),
            (
                "a missing MED counts as 0", R.route(&table, peerC, R.attributes(path: [65001])),
                R.route(&table, peerA, R.attributes(path: [65001], med: 1))
            ),
            (
                "MED is not compared across neighbouring ASes (the lower identifier decides)",
                R.route(&table, peerA, R.attributes(path: [65001], med: 50)),
                R.route(&table, peerB, R.attributes(path: [65002], med: 1))
            ),
            (
                "external over internal", R.route(&table, peerC, R.attributes(path: [65001])),
                R.route(&table, ibgp, R.attributes(path: [65001], localPreference: 100))
            ),
            (
                "lowest BGP identifier", R.route(&table, peerA, R.attributes(path: [65001])),
                R.route(&table, peerC, R.attributes(path: [65001]))
            ),
            (
                "ORIGINATOR_ID stands for the identifier of a reflected route",
                R.route(&table, R.internal("10.0.0.6", id: 0x0a00_0009), R.attributes(originatorID: 0x0a00_0007)),
                R.route(&table, R.internal("10.0.0.7", id: 0x0a00_0008), R.attributes())
            ),
            (
                "shortest CLUSTER_LIST",
                R.route(
                    &table, R.internal("10.0.0.6", id: 0x0a00_0009), R.attributes(originatorID: 7, clusterList: [1])),
                R.route(
                    &table, R.internal("10.0.0.7", id: 0x0a00_0008), R.attributes(originatorID: 7, clusterList: [1, 2]))
            ),
            (
                "lowest peer address",
                R.route(&table, R.internal("10.0.0.6", id: 0x0a00_0009), R.attributes(originatorID: 7)),
                R.route(&table, R.internal("10.0.0.7", id: 0x0a00_0008), R.attributes(originatorID: 7))
            ),
        ]
    }

    @Test func eachStepPicksItsWinnerInEitherOrder() {
        var table = AttributeTable()
        for (name, winner, loser) in Self.cases(&table) {
            #expect(BGPDecisionProcess.best(of: [winner, loser]) == winner, "\(name)")
            #expect(BGPDecisionProcess.best(of: [loser, winner]) == winner, "\(name), reversed")
        }
    }

    @Test func alwaysCompareMEDComparesAcrossASes() {
        var table = AttributeTable()
        let lowMED = R.route(&table, R.external("10.0.0.3", as: 65002, id: 9), R.attributes(path: [65002], med: 1))
        let highMED = R.route(&table, R.external("10.0.0.2", as: 65001, id: 2), R.attributes(path: [65001], med: 50))
        #expect(BGPDecisionProcess.best(of: [lowMED, highMED]) == highMED, "lower identifier without the option")
        #expect(BGPDecisionProcess.best(of: [lowMED, highMED], alwaysCompareMED: true) == lowMED)
    }

    @Test func theMEDStepGivesTheSameWinnerInEveryOrder() {
        // Pairwise comparison would be order-dependent here; the RFC's elimination is not.
        var table = AttributeTable()
        let a = R.route(&table, R.external("10.0.0.2", as: 65001, id: 3), R.attributes(path: [65001], med: 10))
        let b = R.route(&table, R.external("10.0.0.3", as: 65002, id: 2), R.attributes(path: [65002], med: 0))
        let c = R.route(&table, R.external("10.0.0.4", as: 65001, id: 1), R.attributes(path: [65001], med: 20))
        let orders = [[a, b, c], [a, c, b], [b, a, c], [b, c, a], [c, a, b], [c, b, a]]
        let winners = Set(orders.map { BGPDecisionProcess.best(of: $0) })
        #expect(winners == [b], "c loses to a on MED, then b has the lowest identifier")
    }

    @Test func noCandidatesNoBest() {
        #expect(BGPDecisionProcess.best(of: []) == nil)
    }
}
