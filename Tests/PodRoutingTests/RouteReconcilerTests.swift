import Addresses
import Netlink
import PodRouting
import Testing

/// The reconciler against the in-memory kernel: incremental updates, repair, zero-write restart.
@Suite struct RouteReconcilerTests {
    let link = InterfaceAddress(linkIndex: 2, address: IPPrefix(address: IPAddress("192.168.1.10")!, length: 24))

    func podRoutes(_ count: Int) -> [PodRoute] {
        (1...count).map {
            PodRoute(
                prefix: IPPrefix(address: IPAddress("10.244.\($0).0")!, length: 24),
                nextHops: [IPAddress("192.168.1.\($0 % 200 + 20)")!])
        }
    }

    @Test func appliesThenRestartsWithZeroWrites() async throws {
        let kernel = InMemoryRouteKernel(addresses: [link])
        let first = RouteReconciler(kernel: kernel)
        let report = try await first.apply(podRoutes(100))
        #expect(report.applied.count == 100)
        let writes = kernel.writesSent
        let second = RouteReconciler(kernel: kernel)
        let again = try await second.apply(podRoutes(100))
        #expect(again.applied.isEmpty)
        #expect(kernel.writesSent == writes)
    }

    @Test func changingOneRouteWritesOneOperation() async throws {
        let kernel = InMemoryRouteKernel(addresses: [link])
        let reconciler = RouteReconciler(kernel: kernel)
        var routes = podRoutes(100)
        try await reconciler.apply(routes)
        let before = kernel.writesSent
        routes[7] = PodRoute(prefix: routes[7].prefix, nextHops: [IPAddress("192.168.1.250")!])
        let report = try await reconciler.apply(routes)
        #expect(report.applied.count == 1)
        #expect(kernel.writesSent == before + 1)
    }

    @Test func repairsADeletedRouteFromTheEvent() async throws {
        let kernel = InMemoryRouteKernel(addresses: [link])
        let reconciler = RouteReconciler(kernel: kernel)
        try await reconciler.apply(podRoutes(10))
        let victim = try #require(kernel.snapshot.first)
        let before = kernel.writesSent
        kernel.externally(delete: victim.key)
        await reconciler.handle(.routeDeleted(victim))
        #expect(kernel.snapshot.contains(victim))
        #expect(kernel.writesSent == before + 1)
    }

    @Test func leavesAForeignReplacementAlone() async throws {
        let kernel = InMemoryRouteKernel(addresses: [link])
        let reconciler = RouteReconciler(kernel: kernel)
        try await reconciler.apply(podRoutes(3))
        let ours = try #require(kernel.snapshot.first)
        var theirs = ours
        theirs.protocolNumber = 4
        kernel.externally(add: theirs)
        let before = kernel.writesSent
        await reconciler.handle(.routeAdded(theirs))
        #expect(kernel.writesSent == before)
        #expect(kernel.snapshot.contains(theirs))
    }
}
