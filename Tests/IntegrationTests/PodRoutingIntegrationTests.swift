import Addresses
import Logging
import PodRouting
import RudderLab
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The route reconciler against the host kernel, in a network namespace with a veth link.
@Suite(.enabled(if: getuid() == 0, "network namespaces need root"))
struct PodRoutingIntegrationTests {
    let settings = PodRoutingSettings()

    /// A namespace whose link rp0 holds 192.168.0.1/16 and fd00:1::1/64, so next hops are connected.
    func node() throws -> NetworkNamespaceFixture {
        let fixture = try NetworkNamespaceFixture()
        try fixture.addVethPair("rp0", peer: "rp1")
        try fixture.addAddress("192.168.0.1/16", to: "rp0")
        try fixture.addAddress("fd00:1::1/64", to: "rp0")
        return fixture
    }

    func podRoutes(_ count: Int) -> [PodRoute] {
        (0..<count).map { index in
            PodRoute(
                prefix: IPPrefix(address: .v4(0x0AF4_0000 + UInt32(index) << 8), length: 24),
                nextHops: [.v4(0xC0A8_0000 + UInt32(2 + index % 200))])
        }
    }

    func ownedCount(_ fixture: NetworkNamespaceFixture) throws -> Int {
        try fixture.ip("route", "show", "proto", "\(settings.protocolNumber)").split(separator: "\n").count
    }

    @Test func appliesAThousandRoutesAndRestartsWithZeroWrites() async throws {
        let fixture = try node()
        defer { try? fixture.remove() }
        let kernel = try NetlinkRouteKernel(namespace: fixture.namespace)
        let report = try await RouteReconciler(kernel: kernel).apply(podRoutes(1000))
        #expect(report.applied.count == 1000)
        #expect(report.failures.isEmpty)
        #expect(try ownedCount(fixture) == 1000)
        #expect(try fixture.ip("route", "show", "10.244.5.0/24").contains("via 192.168.0.7 dev rp0 proto 44 onlink"))

        let restarted = try NetlinkRouteKernel(namespace: fixture.namespace)
        let again = try await RouteReconciler(kernel: restarted).apply(podRoutes(1000))
        #expect(again.applied.isEmpty)
        #expect(restarted.writesSent == 0)
    }

    @Test func repairsARouteDeletedBehindItsBack() async throws {
        let fixture = try node()
        defer { try? fixture.remove() }
        let kernel = try NetlinkRouteKernel(namespace: fixture.namespace)
        let reconciler = RouteReconciler(kernel: kernel)
        try await reconciler.apply(
            podRoutes(50) + [
                PodRoute(prefix: try IPPrefix(parsing: "fd00:10:244::/64"), nextHops: [IPAddress("fd00:1::2")!])
            ])
        let synced = AsyncStream<Void>.makeStream()
        let running = Task {
            try await reconciler.run(resyncInterval: .seconds(3600)) { _ in synced.continuation.yield() }
        }
        defer { running.cancel() }
        for await _ in synced.stream { break }
        let writesBefore = kernel.writesSent

        try fixture.ip("route", "del", "10.244.7.0/24")
        try fixture.ip("-6", "route", "del", "fd00:10:244::/64")
        try await waitUntil { try fixture.ip("route", "show", "10.244.7.0/24").contains("192.168.0.9") }
        try await waitUntil { try fixture.ip("-6", "route", "show", "fd00:10:244::/64").contains("fd00:1::2") }
        // Exactly the two deleted routes were written back: no full re-apply.
        #expect(kernel.writesSent == writesBefore + 2)

        try fixture.ip(
            "route", "replace", "10.244.8.0/24", "via", "192.168.0.99", "dev", "rp0", "proto",
            "\(settings.protocolNumber)")
        try await waitUntil { try fixture.ip("route", "show", "10.244.8.0/24").contains("192.168.0.10 ") }
    }

    @Test func leavesForeignRoutesAloneInEveryTable() async throws {
        let fixture = try node()
        defer { try? fixture.remove() }
        try fixture.ip("route", "add", "10.244.200.0/24", "via", "192.168.0.50", "proto", "45")
        try fixture.ip("route", "add", "10.244.201.0/24", "via", "192.168.0.51", "proto", "bird")
        try fixture.ip(
            "route", "add", "10.244.3.0/24", "via", "192.168.0.52", "proto", "\(settings.protocolNumber)", "table",
            "100")
        try fixture.ip("route", "add", "10.244.1.0/24", "via", "192.168.0.53", "proto", "static")
        let foreignBefore = try fixture.ip("route", "show", "table", "all")
            .split(separator: "\n").filter(isForeignPodRoute)

        let kernel = try NetlinkRouteKernel(namespace: fixture.namespace)
        let report = try await RouteReconciler(kernel: kernel).apply(podRoutes(5))
        // 10.244.1.0/24 is held by a static route: a conflict, reported and left alone.
        #expect(report.conflicts.map(\.destination) == [try IPPrefix(parsing: "10.244.1.0/24")])
        #expect(report.applied.count == 4)
        try await RouteReconciler(kernel: kernel).apply([])
        let foreignAfter = try fixture.ip("route", "show", "table", "all")
            .split(separator: "\n").filter(isForeignPodRoute)
        #expect(foreignAfter == foreignBefore)
        #expect(try ownedCount(fixture) == 0)
    }

    /// A line of `ip route show table all` for a pod-range route Rudder does not own. Other
    /// routes (IPv6 link-local ones) come and go on their own while the test runs.
    func isForeignPodRoute(_ line: Substring) -> Bool {
        line.contains("10.244.") && (!line.contains("proto \(settings.protocolNumber) ") || line.contains("table 100"))
    }

    /// Polls `condition` every 20 ms for up to 5 s; fails the test if it never holds.
    func waitUntil(_ condition: () throws -> Bool, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for _ in 0..<250 {
            if try condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("condition never held", sourceLocation: sourceLocation)
    }
}
