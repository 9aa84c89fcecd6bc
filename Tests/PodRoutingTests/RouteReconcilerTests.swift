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

    /// A batch of changed prefixes (as BGP delivers them) is planned alone: an added, a changed and a
    /// withdrawn route are three writes, whatever the size of the table, and the result equals a
    /// full apply of the same wanted set.
    @Test func anUpdateOfSomePrefixesPlansOnlyThose() async throws {
        let kernel = InMemoryRouteKernel(addresses: [link])
        let reconciler = RouteReconciler(kernel: kernel)
        var routes = podRoutes(150)
        try await reconciler.apply(routes)
        let before = kernel.writesSent
        let added = PodRoute(
            prefix: IPPrefix(address: IPAddress("10.250.0.0")!, length: 16), nextHops: [IPAddress("192.168.1.9")!])
        let changed = PodRoute(prefix: routes[3].prefix, nextHops: [IPAddress("192.168.1.250")!])
        let report = try await reconciler.update([
            (added.prefix, added), (changed.prefix, changed), (routes[9].prefix, nil),
            (IPPrefix(address: IPAddress("10.99.0.0")!, length: 16), nil),
        ])
        #expect(report.applied.count == 3 && report.failures.isEmpty)
        #expect(kernel.writesSent == before + 3)
        routes[3] = changed
        routes.remove(at: 9)
        routes.append(added)
        // A full apply of the same set finds nothing left to do.
        #expect(try await reconciler.apply(routes).applied.isEmpty)
        #expect(try await reconciler.resync().applied.isEmpty)
        // An unresolvable next hop is reported for that prefix only.
        let stray = PodRoute(
            prefix: IPPrefix(address: IPAddress("10.251.0.0")!, length: 16), nextHops: [IPAddress("172.31.0.1")!])
        let unresolved = try await reconciler.update([(stray.prefix, stray)])
        #expect(unresolved.unresolved.map(\.route) == [stray] && unresolved.applied.isEmpty)
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
