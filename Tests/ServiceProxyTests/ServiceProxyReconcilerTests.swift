import Addresses
import Foundation
import IPVS
import ServiceProxy
import Testing

/// The service reconciler against the in-memory kernel: incremental updates, ownership,
/// adoption after restart, bad input, graceful termination, VIPs.
@Suite struct ServiceProxyReconcilerTests {
    let settings = ProxySettings(nodeAddresses: [IPAddress("192.168.1.10")!])

    func service(_ name: String, clusterIP: String, endpoints: [String], port: Int = 80) -> ProxiedService {
        ProxiedService(
            name: ServiceName(namespace: "default", name: name), clusterIPs: [IPAddress(clusterIP)!],
            ports: [ServicePort(name: "http", port: port, targetPort: 8080)],
            endpoints: endpoints.map { ServiceEndpoint(address: IPAddress($0)!) })
    }

    var fleet: [ProxiedService] {
        (1...20).map {
            service("svc\($0)", clusterIP: "10.96.0.\($0)", endpoints: ["10.244.1.\($0)", "10.244.2.\($0)"])
        }
    }

    func temporaryRecord() -> OwnershipRecord {
        OwnershipRecord(
            path: FileManager.default.temporaryDirectory.appendingPathComponent("rudder-own-\(UUID())").path)
    }

    @Test func restartAdoptsAndWritesNothing() async throws {
        let kernel = InMemoryServiceKernel()
        let record = temporaryRecord()
        defer { try? FileManager.default.removeItem(atPath: record.path!) }
        let first = try await ServiceProxyReconciler(kernel: kernel, settings: settings, record: record).replaceAll(
            fleet)
        #expect(first.applied.count == 20 * 3)
        #expect(try await kernel.boundVIPs().count == 20)
        let writes = kernel.ipvsWritesSent
        let restarted = ServiceProxyReconciler(kernel: kernel, settings: settings, record: record)
        let second = try await restarted.replaceAll(fleet)
        #expect(second.applied.isEmpty)
        #expect(kernel.ipvsWritesSent == writes)
        #expect(try await restarted.ownedServices().count == 20)
        #expect(record.load()[.address(.tcp, IPAddress("10.96.0.3")!, port: 80)] == "default/svc3")
    }

    @Test func oneEndpointChangeTouchesOnlyItsService() async throws {
        let kernel = InMemoryServiceKernel()
        let reconciler = ServiceProxyReconciler(kernel: kernel, settings: settings, record: OwnershipRecord(path: nil))
        try await reconciler.replaceAll(fleet)
        let writes = kernel.ipvsWritesSent
        let changed = service("svc7", clusterIP: "10.96.0.7", endpoints: ["10.244.1.7", "10.244.3.7"])
        let report = try await reconciler.update(changed)
        #expect(report.applied.count == 2)
        #expect(report.applied.allSatisfy { $0.serviceKey == .address(.tcp, IPAddress("10.96.0.7")!, port: 80) })
        #expect(kernel.ipvsWritesSent == writes + 2)
    }

    @Test func servicesMadeByHandSurviveEveryReconcile() async throws {
        let foreignKey = IPVSServiceKey.address(.tcp, IPAddress("10.96.0.200")!, port: 80)
        let foreign = ObservedVirtualService(
            service: IPVSVirtualService(key: foreignKey, scheduler: "wlc"), realServers: [])
        let kernel = InMemoryServiceKernel(services: [foreignKey: foreign])
        let reconciler = ServiceProxyReconciler(kernel: kernel, settings: settings, record: OwnershipRecord(path: nil))
        try await reconciler.replaceAll(fleet)
        try await reconciler.replaceAll([])
        // A Service that wants the same address and port is a conflict, not a takeover.
        let clash = try await reconciler.update(service("clash", clusterIP: "10.96.0.200", endpoints: ["10.244.9.9"]))
        #expect(clash.conflicts == [foreignKey])
        #expect(kernel.snapshot == [foreignKey: foreign])
    }

    @Test func anInvalidServiceIsRejectedAndTheOthersApplied() async throws {
        let kernel = InMemoryServiceKernel()
        let reconciler = ServiceProxyReconciler(kernel: kernel, settings: settings, record: OwnershipRecord(path: nil))
        var broken = service("broken", clusterIP: "10.96.1.1", endpoints: ["10.244.1.1"], port: 0)
        broken.ports.append(ServicePort(name: "dup", port: 0))
        let report = try await reconciler.replaceAll([broken] + fleet)
        #expect(report.rejected.keys.map(\.name) == ["broken"])
        #expect(report.rejected.values.first?.isEmpty == false)
        #expect(kernel.snapshot.count == 20)
    }

    @Test func aServiceThatBecomesInvalidKeepsWhatItHad() async throws {
        let kernel = InMemoryServiceKernel()
        let record = temporaryRecord()
        defer { try? FileManager.default.removeItem(atPath: record.path!) }
        try await ServiceProxyReconciler(kernel: kernel, settings: settings, record: record).replaceAll(fleet)
        var broken = fleet
        broken[4].ports[0].port = 70_000
        let before = kernel.snapshot
        let report = try await ServiceProxyReconciler(kernel: kernel, settings: settings, record: record).replaceAll(
            broken)
        #expect(report.rejected.keys.map(\.name) == ["svc5"])
        #expect(report.applied.isEmpty)
        #expect(kernel.snapshot == before)
    }

    /// A Service the agent could not translate keeps its virtual services and its VIP through a
    /// restart and resyncs, and is planned again as soon as a valid version arrives.
    @Test func aFrozenServiceKeepsItsStateUntilItIsValidAgain() async throws {
        let kernel = InMemoryServiceKernel()
        let record = temporaryRecord()
        defer { try? FileManager.default.removeItem(atPath: record.path!) }
        try await ServiceProxyReconciler(kernel: kernel, settings: settings, record: record).replaceAll(fleet)
        let before = kernel.snapshot
        let vips = try await kernel.boundVIPs()
        let restarted = ServiceProxyReconciler(kernel: kernel, settings: settings, record: record)
        let frozen = fleet[2].name
        let report = try await restarted.replaceAll(fleet.filter { $0.name != frozen }, frozen: [frozen])
        #expect(report.applied.isEmpty)
        try await restarted.resync()
        #expect(kernel.snapshot == before)
        #expect(try await kernel.boundVIPs() == vips)
        let fixed = service("svc3", clusterIP: "10.96.0.3", endpoints: ["10.244.9.9"])
        let update = try await restarted.update(fixed)
        #expect(update.applied.count == 3)
        try await restarted.resync()
        #expect(
            kernel.snapshot[.address(.tcp, IPAddress("10.96.0.3")!, port: 80)]?.realServers.map(\.server.address) == [
                IPAddress("10.244.9.9")!
            ])
    }

    @Test func aRemovedEndpointDrainsThenGoes() async throws {
        let kernel = InMemoryServiceKernel()
        let reconciler = ServiceProxyReconciler(
            kernel: kernel, settings: settings, record: OwnershipRecord(path: nil), gracePeriod: .seconds(3600))
        try await reconciler.replaceAll([
            service("web", clusterIP: "10.96.0.1", endpoints: ["10.244.1.1", "10.244.1.2"])
        ])
        let key = IPVSServiceKey.address(.tcp, IPAddress("10.96.0.1")!, port: 80)
        let leaving = RealServerReference(service: key, address: IPAddress("10.244.1.2")!, port: 8080)
        kernel.setConnections(leaving, active: 2)
        try await reconciler.update(service("web", clusterIP: "10.96.0.1", endpoints: ["10.244.1.1"]))
        let drained = try #require(kernel.snapshot[key]?.realServers.first { $0.server.address == leaving.address })
        #expect(drained.server.weight == 0)
        // Still connected: it stays.
        try await reconciler.collectDrained()
        #expect(kernel.snapshot[key]?.realServers.count == 2)
        kernel.setConnections(leaving, active: 0)
        try await reconciler.collectDrained()
        #expect(kernel.snapshot[key]?.realServers.map(\.server.address) == [IPAddress("10.244.1.1")!])
    }

    @Test func aDrainingEndpointGoesWhenItsGracePeriodEnds() async throws {
        let kernel = InMemoryServiceKernel()
        let reconciler = ServiceProxyReconciler(
            kernel: kernel, settings: settings, record: OwnershipRecord(path: nil), gracePeriod: .zero)
        try await reconciler.replaceAll([
            service("web", clusterIP: "10.96.0.1", endpoints: ["10.244.1.1", "10.244.1.2"])
        ])
        let key = IPVSServiceKey.address(.tcp, IPAddress("10.96.0.1")!, port: 80)
        kernel.setConnections(
            RealServerReference(service: key, address: IPAddress("10.244.1.2")!, port: 8080), active: 5)
        try await reconciler.update(service("web", clusterIP: "10.96.0.1", endpoints: ["10.244.1.1"]))
        try await reconciler.collectDrained()
        #expect(kernel.snapshot[key]?.realServers.count == 1)
    }

    @Test func vipsFollowTheServices() async throws {
        let kernel = InMemoryServiceKernel()
        try await kernel.bindVIPs(adding: [IPAddress("10.96.9.9")!, IPAddress("fe80::1")!], removing: [])
        let reconciler = ServiceProxyReconciler(kernel: kernel, settings: settings, record: OwnershipRecord(path: nil))
        try await reconciler.replaceAll(Array(fleet.prefix(2)))
        // A stale VIP (left by an earlier run) goes; the kernel's link-local address stays.
        #expect(
            try await kernel.boundVIPs() == [IPAddress("10.96.0.1")!, IPAddress("10.96.0.2")!, IPAddress("fe80::1")!])
        try await reconciler.remove(ServiceName(namespace: "default", name: "svc1"))
        #expect(try await kernel.boundVIPs() == [IPAddress("10.96.0.2")!, IPAddress("fe80::1")!])
    }

    /// A Service with source ranges is firewalled even with masquerade off; its changes reach
    /// the kernel as member changes, and the firewall goes when the last range does.
    @Test func sourceRangesAreEnforcedWithMasqueradeOff() async throws {
        let kernel = InMemoryServiceKernel()
        var noMasquerade = settings
        noMasquerade.masquerade = false
        let reconciler = ServiceProxyReconciler(
            kernel: kernel, settings: noMasquerade, record: OwnershipRecord(path: nil))
        var shop = service("shop", clusterIP: "10.96.0.50", endpoints: ["10.244.1.50"])
        try await reconciler.replaceAll([shop])
        // Nothing to firewall and no masquerade: netfilter is only looked at once, for leftovers.
        #expect(kernel.masquerade == MasqueradeState(enabled: false))
        try await reconciler.resync()
        #expect(kernel.masquerade == MasqueradeState(enabled: false))

        shop.loadBalancerIPs = [IPAddress("198.51.100.50")!]
        shop.loadBalancerSourceRanges = [try IPPrefix(parsing: "192.0.2.0/24")]
        try await reconciler.update(shop)
        let firewalled = try #require(kernel.masquerade)
        #expect(!firewalled.enabled && firewalled.services.isEmpty && firewalled.loopback.isEmpty)
        #expect(firewalled.firewall.map(\.description) == ["198.51.100.50,tcp:80"])
        #expect(firewalled.allowedSources.map(\.description) == ["198.51.100.50,tcp:80,192.0.2.0/24"])

        shop.loadBalancerSourceRanges.append(try IPPrefix(parsing: "203.0.113.0/24"))
        try await reconciler.update(shop)
        #expect(kernel.masquerade?.allowedSources.count == 2)

        shop.loadBalancerSourceRanges = []
        try await reconciler.update(shop)
        #expect(kernel.masquerade?.firewall.isEmpty == true && kernel.masquerade?.allowedSources.isEmpty == true)
    }

    @Test func theOwnershipRecordRoundTrips() throws {
        let record = temporaryRecord()
        defer { try? FileManager.default.removeItem(atPath: record.path!) }
        let keys: [IPVSServiceKey: String] = [
            .address(.tcp, IPAddress("10.96.0.1")!, port: 80): "default/web",
            .address(.udp, IPAddress("fd00::a")!, port: 53): "kube-system/dns",
            .address(.sctp, IPAddress("10.96.0.2")!, port: 9): "", .firewallMark(.ipv6, 42): "a/b",
        ]
        try record.save(keys)
        #expect(record.load() == keys)
    }
}
