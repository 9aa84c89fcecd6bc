import RudderLab
import Testing

/// The ingest benchmark's sender: BIRD originating N distinct /24s with one shared attribute set.
@Suite("BIRD bulk sender")
struct BulkRoutesTests {
    @Test("A BIRD sender's bulk table arrives whole at a BIRD receiver, every route with the shared communities")
    func bulkTableArrives() async throws {
        try await withBGPPeerLab(nodes: 1) { lab in
            let link = lab.links[0]
            let table = try BirdRouterBulkRoutes(
                count: 5000, communities: [.init(65001, 42)], largeCommunities: [.init(65001, 4, 2)])
            let receiver = try await BirdRouter.start(
                in: lab, namespace: lab.router,
                configuration: BGPPeerLabRouterConfiguration(
                    localAS: 65000, routerID: link.routerIPv4,
                    neighbors: [.init(address: link.nodeIPv4, remoteAS: 65001)]))
            let sender = try await BirdRouter.start(
                in: lab, namespace: lab.nodes[0],
                configuration: BGPPeerLabRouterConfiguration(
                    localAS: 65001, routerID: link.nodeIPv4,
                    neighbors: [.init(address: link.routerIPv4, remoteAS: 65000)]),
                bulkRoutes: table)
            #expect(try sender.routeCount() == table.count)
            let routes = try await receiver.waitForRoutes(from: link.nodeIPv4, "\(table.count) routes") {
                $0.count == table.count
            }
            #expect(Set(routes.map(\.prefix)) == Set((0..<table.count).map(table.prefix(at:))))
            let shared = BGPPeerLabRoute(
                prefix: "", nextHop: link.nodeIPv4, asPath: [65001], communities: table.communities,
                largeCommunities: table.largeCommunities)
            #expect(
                routes.allSatisfy {
                    BGPPeerLabRoute(
                        prefix: "", nextHop: $0.nextHop, asPath: $0.asPath, communities: $0.communities,
                        largeCommunities: $0.largeCommunities) == shared
                })
        }
    }
}
