import Addresses
import IPVS
import ServiceProxy
import Testing

/// The IPVS planner: minimality, incremental scope, ownership, graceful termination.
@Suite struct ServicePlannerTests {
    let key = IPVSServiceKey.address(.tcp, IPAddress("10.96.0.10")!, port: 80)
    let other = IPVSServiceKey.address(.udp, IPAddress("10.96.0.11")!, port: 53)

    func server(_ last: UInt8, weight: Int32 = 1) -> IPVSRealServer {
        IPVSRealServer(address: .v4(0x0AF4_0100 | UInt32(last)), port: 8080, weight: weight)
    }

    func observed(_ desired: DesiredVirtualService, connections: [UInt8: UInt32] = [:]) -> ObservedVirtualService {
        ObservedVirtualService(
            service: desired.service,
            realServers: desired.realServers.map { server in
                let last = UInt8(truncatingIfNeeded: server.address.bytes.last!)
                return IPVSObservedRealServer(
                    server: server, activeConnections: connections[last] ?? 0, inactiveConnections: 0,
                    persistentConnections: 0, statistics: IPVSStatistics())
            })
    }

    func desired(_ key: IPVSServiceKey, _ servers: [IPVSRealServer], scheduler: String = "rr") -> DesiredVirtualService
    {
        DesiredVirtualService(service: IPVSVirtualService(key: key, scheduler: scheduler), realServers: servers)
    }

    @Test func createsAServiceThenItsRealServers() {
        let wanted = desired(key, [server(5), server(6)])
        let plan = ServicePlanner.plan(desired: [key: wanted], observed: [:], owned: [])
        #expect(
            plan.operations == [
                .addService(wanted.service), .addRealServer(key, server(5)), .addRealServer(key, server(6)),
            ])
    }

    @Test func nothingChangedMeansNoOperations() {
        let wanted = desired(key, [server(5), server(6)])
        let plan = ServicePlanner.plan(desired: [key: wanted], observed: [key: observed(wanted)], owned: [key])
        #expect(plan.operations.isEmpty)
    }

    @Test func oneEndpointChangeIsOneOperation() {
        let before = desired(key, [server(5), server(6)])
        let after = desired(key, [server(5), server(7)])
        let plan = ServicePlanner.plan(desired: [key: after], observed: [key: observed(before)], owned: [key])
        #expect(
            plan.operations == [
                .addRealServer(key, server(7)), .deleteRealServer(key, address: server(6).address, port: 8080),
            ])
    }

    @Test func schedulerAndWeightChangesAreUpdates() {
        let before = desired(key, [server(5)])
        let after = desired(key, [server(5, weight: 3)], scheduler: "mh")
        let plan = ServicePlanner.plan(desired: [key: after], observed: [key: observed(before)], owned: [key])
        #expect(plan.operations == [.updateService(after.service), .updateRealServer(key, server(5, weight: 3))])
    }

    @Test func aLeavingEndpointWithConnectionsDrainsAtWeightZero() {
        let before = desired(key, [server(5), server(6)])
        let after = desired(key, [server(5)])
        let seen = observed(before, connections: [6: 3])
        let plan = ServicePlanner.plan(desired: [key: after], observed: [key: seen], owned: [key])
        #expect(plan.operations == [.updateRealServer(key, server(6, weight: 0))])
        let reference = RealServerReference(service: key, address: server(6).address, port: 8080)
        #expect(plan.draining == [reference])

        var drained = seen
        drained.realServers[1].server.weight = 0
        let waiting = ServicePlanner.plan(desired: [key: after], observed: [key: drained], owned: [key])
        #expect(waiting.operations.isEmpty)
        #expect(waiting.draining == [reference])

        let expired = ServicePlanner.plan(
            desired: [key: after], observed: [key: drained], owned: [key], expired: [reference])
        #expect(expired.operations == [.deleteRealServer(key, address: server(6).address, port: 8080)])
    }

    @Test func aLeavingUDPEndpointGoesAtOnce() {
        let before = desired(other, [server(5), server(6)])
        let after = desired(other, [server(5)])
        let plan = ServicePlanner.plan(
            desired: [other: after], observed: [other: observed(before, connections: [6: 4])], owned: [other])
        #expect(plan.operations == [.deleteRealServer(other, address: server(6).address, port: 8080)])
        #expect(plan.draining.isEmpty)
    }

    @Test func servicesRudderDoesNotOwnAreNeverTouched() {
        let foreign = desired(other, [server(9)])
        let wanted = desired(other, [server(5)])
        let untouched = ServicePlanner.plan(desired: [:], observed: [other: observed(foreign)], owned: [])
        #expect(untouched.operations.isEmpty)
        let conflict = ServicePlanner.plan(desired: [other: wanted], observed: [other: observed(foreign)], owned: [])
        #expect(conflict.operations.isEmpty)
        #expect(conflict.conflicts == [other])
    }

    @Test func aRemovedServiceIsDeletedWhole() {
        let before = desired(key, [server(5)])
        let plan = ServicePlanner.plan(desired: [:], observed: [key: observed(before)], owned: [key])
        #expect(plan.operations == [.deleteService(key)])
    }

    @Test func planningIsLimitedToTheGivenKeys() {
        let changed = desired(key, [server(5)])
        let unrelated = desired(other, [server(9)])
        let plan = ServicePlanner.plan(
            desired: [key: changed, other: unrelated], observed: [:], owned: [], keys: [key])
        #expect(plan.operations.allSatisfy { $0.serviceKey == key })
    }
}
