import Addresses
import Foundation
import GuestTesting
import IPVS
import Netfilter
import Netlink
import PodNetwork
import PodRouting
import RudderLab
import ServiceProxy
import Testing

/// A pod on Rudder's pod network reaching a Service through IPVS, in a User-Mode Linux guest (the
/// host kernel has no IPVS): the same two sandbox nodes and reference plugins as
/// `PodNetworkCNITests`, with the service proxy on the first node.
@Suite struct PodNetworkServiceTests {
    static let modules =
        ["ip_vs", "ip_vs_rr", "veth", "dummy", "bridge", "ip_set_hash_ip"] + NetfilterController.kernelModules

    /// pod-a on node-a connects to a ClusterIP whose only endpoint is pod-b on node-b: IPVS on
    /// node-a sends it across the pod route, pod-b sees pod-a's own address, and the reply finds
    /// its way back through node-a's IPVS.
    @Test(.userModeLinux, .inGuest(modules: Self.modules))
    func aPodReachesAClusterIPWhoseEndpointIsAPodOnAnotherNode() async throws {
        let lab = try PodNetworkLab(iptablesVariant: "legacy")
        defer { lab.tearDown() }
        for node in 0..<2 {
            let report = await lab.reconcilers[node].apply(lab.state(node))
            #expect(report.failures.isEmpty, "\(report)")
        }
        for (node, route) in [(0, ("10.244.2.0/24", "192.168.77.2")), (1, ("10.244.1.0/24", "192.168.77.1"))] {
            let routes = RouteReconciler(kernel: try NetlinkRouteKernel(namespace: lab.nodes[node].namespace))
            let applied = try await routes.apply([
                PodRoute(prefix: try IPPrefix(parsing: route.0), nextHops: [IPAddress(route.1)!])
            ])
            #expect(applied.failures.isEmpty, "\(applied)")
        }
        let podA = try lab.startPod(on: 0, name: "pod-a")
        let podB = try lab.startPod(on: 1, name: "pod-b")
        let server = try TCPNameServer(
            name: "pod-b", endpoint: SocketEndpoint("0.0.0.0", port: 8080), namespace: podB.fixture.namespace)
        defer { server.stop() }

        // The guest's /run is a private tmpfs: the record never reaches the host's disk.
        let record = OwnershipRecord(path: "/run/rudder-podnet-\(UInt32.random(in: .min ... .max))/ipvs-services")
        let settings = ProxySettings(
            nodeAddresses: [IPAddress("192.168.77.1")!], podSubnets: [try IPPrefix(parsing: "10.244.0.0/16")],
            masquerade: false, iptablesVariant: "legacy")
        let proxy = ServiceProxyReconciler(
            kernel: try NetlinkServiceKernel(
                namespace: lab.nodes[0].namespace, nodeAddresses: settings.nodeAddresses, iptablesVariant: "legacy"),
            settings: settings, record: record)
        let web = ProxiedService(
            name: ServiceName(namespace: "default", name: "web"), clusterIPs: [IPAddress("10.96.0.10")!],
            ports: [ServicePort(name: "http", transport: .tcp, port: 80, targetPort: 8080)],
            endpoints: [ServiceEndpoint(address: IPAddress(podB.address)!, isLocal: false)])
        let programmed = try await proxy.replaceAll([web])
        #expect(programmed.failures.isEmpty, "\(programmed)")

        #expect(try lab.peer(from: podA, to: "10.96.0.10", port: 80, server: podB.fixture) == podA.address)
        for pod in [podB, podA] { try lab.stopPod(pod) }
    }
}
