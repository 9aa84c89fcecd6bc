import Addresses
import Foundation
import GuestTesting
import Netfilter
import Netlink
import PodNetwork
import PodRouting
import RudderLab
import Testing

/// The overlay with kube-router's `fou` encapsulation (GUE in UDP), in a User-Mode Linux guest:
/// the host kernel has no `ipip` or `fou`.
///
/// Debian's UML kernel has `fou` but not CONFIG_NET_FOU_IP_TUNNELS, so it opens GUE ports and
/// refuses GUE on an ipip link (EINVAL). Where the kernel refuses, the test checks that the refusal
/// is one clear error that names the cause, that the bridge, conflist and port are still made,
/// and that the same tunnel request without its four GUE attributes carries the pods' traffic;
/// where it accepts, that the traffic crosses the router as UDP to the GUE port.
@Suite struct PodNetworkGUETests {
    static let modules = ["veth", "bridge", "ipip", "fou", "iptable_filter", "ip_set_hash_net"]

    /// Two nodes in two subnets behind a router that knows no pod routes: the GUE port opens, the
    /// tunnels are made (or refused with the kernel's reason), pods reach each other through the
    /// tunnels, and a second pass writes nothing.
    @Test(.userModeLinux, .inGuest(modules: Self.modules))
    func podsInTwoSubnetsTalkThroughTheOverlay() async throws {
        let router = try NetworkNamespaceFixture(prefix: "rudder-router")
        let nodes = [
            try NetworkNamespaceFixture(prefix: "rudder-node"), try NetworkNamespaceFixture(prefix: "rudder-node"),
        ]
        let pods = [
            try NetworkNamespaceFixture(prefix: "rudder-pod"), try NetworkNamespaceFixture(prefix: "rudder-pod"),
        ]
        let directory = NSTemporaryDirectory() + "rudder-gue-\(UInt32.random(in: .min ... .max))"
        let networkName = "rudder-gue-\(UInt32.random(in: .min ... .max))"
        defer {
            for fixture in pods + nodes + [router] { try? fixture.remove() }
            // The guest writes to the host's disk: nothing of the test may stay there.
            try? FileManager.default.removeItem(atPath: directory)
            try? FileManager.default.removeItem(atPath: "/var/lib/cni/networks/\(networkName)")
        }
        let addresses = ["192.168.1.10", "192.168.2.12"]
        for (index, node) in nodes.enumerated() {
            try router.addVethPair("to-node\(index)", peer: "uplink", peerNamespace: node)
            try router.addAddress("192.168.\(index + 1).1/24", to: "to-node\(index)")
            try node.addAddress("\(addresses[index])/24", to: "uplink")
            try node.ip("route", "add", "default", "via", "192.168.\(index + 1).1")
        }
        _ = try router.run("sysctl", ["-w", "net.ipv4.ip_forward=1"])
        // Counts the tunnels' packets the router forwards: UDP to kube-router's port.
        _ = try router.run("iptables-legacy", ["-A", "FORWARD", "-p", "udp", "--dport", "5555", "-j", "ACCEPT"])

        let cidrs = [try IPPrefix(parsing: "10.244.1.0/24"), try IPPrefix(parsing: "10.244.3.0/24")]
        var results: [CNIResult] = []
        var kernels: [NetlinkPodNetworkKernel] = []
        var states: [PodNetworkState] = []
        var reconcilers: [PodNetworkReconciler] = []
        var gueRefused = false
        for (index, node) in nodes.enumerated() {
            let settings = PodNetworkSettings(
                networkName: networkName, configDirectory: directory + "/\(index)", overlay: .subnet,
                overlayEncapsulation: .gue(port: 5555))
            try FileManager.default.createDirectory(atPath: settings.configDirectory, withIntermediateDirectories: true)
            let kernel = try NetlinkPodNetworkKernel(namespace: node.namespace)
            let reconciler = PodNetworkReconciler(kernel: kernel, egress: nil, settings: settings)
            let remote = IPAddress(addresses[1 - index])!
            var state = PodNetworkState(
                podCIDRs: [cidrs[index]], clusterPodCIDRs: cidrs, mtu: 1500 - 32,
                tunnels: [
                    OverlayTunnel(local: IPAddress(addresses[index])!, remote: remote, encapsulation: .gue(port: 5555))
                ])
            var report = await reconciler.apply(state)
            #expect(report.problems.isEmpty && report.configurationWritten, "\(report)")
            #expect(report.applied.first == .addGUEPort(5555), "\(report.applied)")
            #expect(try FOUClient(namespace: node.namespace).guePorts() == [5555])
            if !report.failures.isEmpty {
                // Only the tunnel (and so its setting up) may fail, and with the kernel's reason.
                #expect(report.failures.count == 2, "\(report.failures)")
                #expect(report.failures[0].contains("built without CONFIG_NET_FOU_IP_TUNNELS"), "\(report.failures)")
                #expect(try node.ip("-o", "address", "show", "dev", "kube-bridge").contains(".1/24"))
                gueRefused = true
                state.tunnels = state.tunnels.map {
                    OverlayTunnel(local: $0.local, remote: $0.remote, encapsulation: .ipip)
                }
                report = await reconciler.apply(state)
                #expect(report.failures.isEmpty, "\(report)")
            }
            let link = try #require(report.tunnelLinks[remote])
            let routes = RouteReconciler(kernel: try NetlinkRouteKernel(namespace: node.namespace))
            let applied = try await routes.apply([PodRoute(prefix: cidrs[1 - index], nextHops: [remote], link: link)])
            #expect(applied.failures.isEmpty, "\(applied)")
            let conflist = try String(contentsOfFile: settings.configPath, encoding: .utf8)
            let runtime = try CNIRuntime(conflist: Data(conflist.utf8), hostNamespace: "/run/netns/\(node.name)")
            results.append(try runtime.add(containerID: "pod\(index)", netns: "/run/netns/\(pods[index].name)"))
            kernels.append(kernel)
            states.append(state)
            reconcilers.append(reconciler)
        }
        if !gueRefused {
            let link = try nodes[0].ip("-d", "link", "show", "rguec0a8020c")
            #expect(link.contains("encap gue") && link.contains("encap-dport 5555"), "\(link)")
        }

        let target = try #require(results[1].ips.first?.address.address)
        let server = try TCPNameServer(
            name: "pod1", endpoint: SocketEndpoint("0.0.0.0", port: 8080), namespace: pods[1].namespace)
        defer { server.stop() }
        #expect(
            try TCPConnection.greeting(from: pods[0].namespace, to: SocketEndpoint("\(target)", port: 8080)) == "pod1")
        let counters = try router.run("iptables-legacy", ["-L", "FORWARD", "-v", "-x", "-n"]).stdout
        let forwarded = counters.split(separator: "\n").first { $0.contains("udp dpt:5555") }
        let udpPackets = Int(forwarded?.split(separator: " ").first ?? "0") ?? 0
        #expect(gueRefused ? udpPackets == 0 : udpPackets > 0, "\(counters)")
        #expect(!(try router.ip("route", "show")).contains("10.244."), "the router knows no pod route")

        let writes = kernels.map(\.writesSent)
        for (index, reconciler) in reconcilers.enumerated() {
            let again = await reconciler.apply(states[index])
            #expect(again.applied.isEmpty && again.failures.isEmpty, "\(again)")
        }
        #expect(kernels.map(\.writesSent) == writes)
    }
}
