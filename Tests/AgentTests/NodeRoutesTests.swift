import Addresses
import Agent
import Foundation
import Kubernetes
import KubernetesModel
import PodRouting
import RudderLab
import Testing

/// Other nodes' pod CIDRs into pod routes.
@Suite struct NodeRoutesTests {
    func node(_ json: String) throws -> Node {
        try JSONDecoder().decode(Node.self, from: Data(json.utf8))
    }

    @Test func everyOtherNodesPodCIDRsViaItsAddressOfTheSameFamily() throws {
        let nodes = [
            try node(TestAPIServer.nodeJSON(name: "node-a", podCIDR: "10.244.0.0/24", internalIP: "192.168.1.10")),
            try node(
                TestAPIServer.nodeJSON(
                    name: "node-b", podCIDR: "10.244.1.0/24", internalIP: "192.168.1.11",
                    podCIDRs: ["10.244.1.0/24", "fd00:244:1::/64"])),
            try node(TestAPIServer.nodeJSON(name: "node-c", podCIDR: nil, internalIP: "192.168.1.12")),
            try node(TestAPIServer.nodeJSON(name: "node-d", podCIDR: "10.244.3.7/24", internalIP: "192.168.1.13")),
            try node(TestAPIServer.nodeJSON(name: "node-e", podCIDR: "10.244.x/24", internalIP: "192.168.1.14")),
        ]
        let (routes, problems) = NodeRoutes.routes(nodes: nodes, selfName: "node-a")
        #expect(
            routes.map(\.description)
                == [
                    PodRoute(prefix: try IPPrefix(parsing: "10.244.1.0/24"), nextHops: [IPAddress("192.168.1.11")!])
                ].map(\.description))
        #expect(
            problems == [
                "node node-b: no IPv6 address to route its pod CIDR fd00:244:1::/64 through",
                // Host bits set: the API server never writes that, so it is a bug worth naming.
                "node node-d: podCIDR '10.244.3.7/24' is not a prefix",
                "node node-e: podCIDR '10.244.x/24' is not a prefix",
            ])
    }
}
