import Addresses
import Netlink
import PodRouting
import Testing

/// Unit tests of the pure planner: minimality, ECMP, IPv6, ownership.
@Suite struct RoutePlannerTests {
    let settings = PodRoutingSettings()

    func route(_ prefix: String, _ hops: [String], protocolNumber: UInt8? = nil, table: UInt32 = 254) throws -> Route {
        Route(
            destination: try IPPrefix(parsing: prefix), table: table,
            protocolNumber: protocolNumber ?? settings.protocolNumber,
            nextHops: hops.map { NextHop(gateway: IPAddress($0)!, linkIndex: 2, onlink: true) })
    }

    @Test func addsOnlyWhatIsMissing() throws {
        let present = try route("10.244.1.0/24", ["192.168.1.11"])
        let missing = try route("10.244.2.0/24", ["192.168.1.12"])
        let plan = RoutePlanner.plan(desired: [present, missing], observed: [present], settings: settings)
        #expect(plan.operations == [.add(missing)])
    }

    @Test func nothingChangedMeansNoOperations() throws {
        let routes = try (1...50).map { try route("10.244.\($0).0/24", ["192.168.1.\($0)"]) }
        let plan = RoutePlanner.plan(desired: routes, observed: routes.reversed(), settings: settings)
        #expect(plan.isEmpty)
    }

    @Test func replacesAChangedNextHopInsteadOfDeletingAndAdding() throws {
        let old = try route("10.244.1.0/24", ["192.168.1.11"])
        let new = try route("10.244.1.0/24", ["192.168.1.99"])
        let plan = RoutePlanner.plan(desired: [new], observed: [old], settings: settings)
        #expect(plan.operations == [.replace(new)])
    }

    @Test func deletesOwnedRoutesThatAreNoLongerDesired() throws {
        let stale = try route("10.244.9.0/24", ["192.168.1.19"])
        let kept = try route("10.244.1.0/24", ["192.168.1.11"])
        let plan = RoutePlanner.plan(desired: [kept], observed: [kept, stale], settings: settings)
        #expect(plan.operations == [.delete(stale)])
    }

    @Test func ecmpNextHopOrderDoesNotMatter() throws {
        let a = try route("10.244.3.0/24", ["192.168.1.13", "192.168.1.14"])
        let b = try route("10.244.3.0/24", ["192.168.1.14", "192.168.1.13"])
        #expect(a == b)
        #expect(RoutePlanner.plan(desired: [a], observed: [b], settings: settings).isEmpty)
        let narrower = try route("10.244.3.0/24", ["192.168.1.13"])
        #expect(RoutePlanner.plan(desired: [a], observed: [narrower], settings: settings).operations == [.replace(a)])
    }

    @Test func ipv6RoutesArePlannedLikeIPv4() throws {
        let v6 = try route("fd00:10:244:1::/64", ["fd00:1::11"])
        #expect(v6.metric == 1024)
        let plan = RoutePlanner.plan(desired: [v6], observed: [], settings: settings)
        #expect(plan.operations == [.add(v6)])
        let moved = try route("fd00:10:244:1::/64", ["fd00:1::12", "fd00:1::13"])
        #expect(RoutePlanner.plan(desired: [moved], observed: [v6], settings: settings).operations == [.replace(moved)])
    }

    @Test func foreignRoutesAreNeverTouched() throws {
        let foreignSameRange = try route("10.244.7.0/24", ["192.168.1.17"], protocolNumber: 45)
        let foreignOtherTable = try route("10.244.8.0/24", ["192.168.1.18"], table: 100)
        let staticRoute = try route("10.96.0.0/12", ["192.168.1.1"], protocolNumber: 4)
        let plan = RoutePlanner.plan(
            desired: [], observed: [foreignSameRange, foreignOtherTable, staticRoute], settings: settings)
        #expect(plan.isEmpty)
    }

    @Test func aForeignRouteHoldingTheKeyIsAConflictNotAReplace() throws {
        let foreign = try route("10.244.1.0/24", ["192.168.1.50"], protocolNumber: 4)
        let wanted = try route("10.244.1.0/24", ["192.168.1.11"])
        let plan = RoutePlanner.plan(desired: [wanted], observed: [foreign], settings: settings)
        #expect(plan.isEmpty)
        #expect(plan.conflicts == [wanted])
    }

    @Test func deletesComeBeforeReplacesBeforeAdds() throws {
        let stale = try route("10.244.9.0/24", ["192.168.1.19"])
        let changedOld = try route("10.244.1.0/24", ["192.168.1.11"])
        let changedNew = try route("10.244.1.0/24", ["192.168.1.12"])
        let added = try route("10.244.2.0/24", ["192.168.1.12"])
        let plan = RoutePlanner.plan(desired: [added, changedNew], observed: [stale, changedOld], settings: settings)
        #expect(plan.operations == [.delete(stale), .replace(changedNew), .add(added)])
    }

    @Test func stepRepairsOneKey() throws {
        let wanted = try route("10.244.1.0/24", ["192.168.1.11"])
        #expect(RoutePlanner.step(desired: wanted, owned: nil, foreign: nil) == .add(wanted))
        #expect(RoutePlanner.step(desired: wanted, owned: wanted, foreign: nil) == nil)
        #expect(RoutePlanner.step(desired: nil, owned: wanted, foreign: nil) == .delete(wanted))
        #expect(
            RoutePlanner.step(
                desired: wanted, owned: nil, foreign: try route("10.244.1.0/24", ["1.1.1.1"], protocolNumber: 4)) == nil
        )
    }
}
