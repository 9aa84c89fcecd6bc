import Addresses
import Foundation
import Netlink
import PodNetwork
import PodRouting
import RudderLab
import Testing

/// Rudder's pod network with the reference CNI plugins invoked as a runtime does, on two sandbox
/// nodes (network namespaces of the host kernel) and an outside network.
@Suite(.serialized) struct PodNetworkCNITests {
    /// Pods on one node and across nodes reach each other with their own addresses; an outside
    /// host sees the node's address; a hostPort reaches its pod; CHECK passes; a second pass
    /// writes nothing; a deleted gateway address comes back; another CNI file is left alone and named.
    @Test func podsTalkThroughTheBridgeTheRoutesEgressAndPortmap() async throws {
        let lab = try PodNetworkLab()
        defer { lab.tearDown() }
        let foreign = "{\"cniVersion\":\"0.4.0\",\"name\":\"other\",\"plugins\":[{\"type\":\"ptp\"}]}\n"
        try foreign.write(toFile: lab.directory(0) + "/05-other.conflist", atomically: false, encoding: .utf8)

        var reports: [PodNetworkReconciler.Report] = []
        for node in 0..<2 { reports.append(await lab.reconcilers[node].apply(lab.state(node))) }
        for report in reports { #expect(report.failures.isEmpty && report.problems.isEmpty, "\(report)") }
        #expect(reports.allSatisfy { $0.configurationWritten })
        #expect(reports[0].earlierConfigurations == ["05-other.conflist"])
        #expect(reports[1].earlierConfigurations.isEmpty)
        #expect(try String(contentsOfFile: lab.directory(0) + "/05-other.conflist", encoding: .utf8) == foreign)
        let bridge = try lab.nodes[0].ip("-o", "address", "show", "dev", "kube-bridge")
        #expect(bridge.contains("10.244.1.1/24"), "\(bridge)")
        for (node, route) in [(0, ("10.244.2.0/24", "192.168.77.2")), (1, ("10.244.1.0/24", "192.168.77.1"))] {
            let routes = try RouteReconciler(kernel: NetlinkRouteKernel(namespace: lab.nodes[node].namespace))
            let applied = try await routes.apply([
                PodRoute(prefix: try IPPrefix(parsing: route.0), nextHops: [IPAddress(route.1)!])
            ])
            #expect(applied.failures.isEmpty && applied.applied.count == 1, "\(applied)")
        }

        let pod1a = try lab.startPod(on: 0, name: "pod1a")
        let pod1b = try lab.startPod(
            on: 0, name: "pod1b", portMappings: [PortMapping(hostPort: 8081, containerPort: 8080)])
        let pod2 = try lab.startPod(on: 1, name: "pod2")
        for pod in [pod1a, pod1b, pod2] {
            let address = try #require(pod.result.ips.first)
            #expect(
                try IPPrefix(parsing: pod.node == 0 ? "10.244.1.0/24" : "10.244.2.0/24").contains(
                    address.address.address))
            #expect(address.gateway == IPAddress(pod.node == 0 ? "10.244.1.1" : "10.244.2.1"))
            // portmap 1.1.1's CHECK looks for its chain in the IPv6 nat table too, even for an
            // IPv4-only pod, and fails; runtimes (CRI, podman) do not send CHECK, so only the pods
            // without hostPorts are checked.
            if pod.portMappings.isEmpty {
                try lab.runtimes[pod.node].check(containerID: pod.name, netns: pod.netnsPath, result: pod.result)
            }
        }
        let servers = try [pod1b, pod2].map { pod in
            try TCPNameServer(
                name: pod.name, endpoint: SocketEndpoint("0.0.0.0", port: 8080), namespace: pod.fixture.namespace)
        }
        let outside = try TCPNameServer(
            name: "outside", endpoint: SocketEndpoint("0.0.0.0", port: 8080), namespace: lab.outside.namespace)
        defer { for server in servers + [outside] { server.stop() } }

        // Same node, across nodes through the pod route, and out through the egress masquerade.
        #expect(try lab.peer(from: pod1a, to: pod1b.address, server: pod1b.fixture) == pod1a.address)
        #expect(try lab.peer(from: pod1a, to: pod2.address, server: pod2.fixture) == pod1a.address)
        #expect(try lab.peer(from: pod1a, to: "203.0.113.2", server: lab.outside) == "203.0.113.1")
        // A hostPort through portmap, from outside.
        #expect(
            try TCPConnection.greeting(from: lab.outside.namespace, to: SocketEndpoint("203.0.113.1", port: 8081))
                == "pod1b")

        // Nothing changed: no link change, no file write, no egress write.
        let writesBefore = lab.kernels.map(\.writesSent)
        let again = await lab.reconcilers[0].apply(lab.state(0))
        #expect(again.applied.isEmpty && !again.configurationWritten && again.egressWrites == 0, "\(again)")
        #expect(lab.kernels.map(\.writesSent) == writesBefore)

        // Drift: the gateway address deleted by hand comes back from the link events.
        let repairing = Task { [reconciler = lab.reconcilers[0]] in try await reconciler.run() }
        defer { repairing.cancel() }
        try await Polling.untilAsync("the repair loop listens", timeout: .seconds(240)) {
            await lab.reconcilers[0].isFollowing
        }
        try lab.nodes[0].ip("address", "del", "10.244.1.1/24", "dev", "kube-bridge")
        try await Polling.until("the gateway address is back", timeout: .seconds(240)) {
            try lab.nodes[0].ip("-o", "address", "show", "dev", "kube-bridge").contains("10.244.1.1/24")
        }
        // The address appears while the pass that added it is still finishing: wait for its count.
        try await Polling.untilAsync("the repair is counted", timeout: .seconds(240)) {
            await lab.reconcilers[0].repairs >= 1
        }
        #expect(
            try TCPConnection.greeting(from: pod1a.fixture.namespace, to: SocketEndpoint(pod2.address, port: 8080))
                == "pod2")

        for pod in [pod2, pod1b, pod1a] { try lab.stopPod(pod) }
    }
}

/// Two nodes joined by an underlay link, an outside host behind the first, pods as namespaces.
final class PodNetworkLab {
    /// A pod: its namespace, the node it runs on and what the plugins gave it.
    struct Pod {
        var name: String
        var node: Int
        var fixture: NetworkNamespaceFixture
        var result: CNIResult
        var portMappings: [PortMapping]
        var netnsPath: String { "/run/netns/\(fixture.name)" }
        var address: String { result.ips.first.map { "\($0.address.address)" } ?? "?" }
    }

    let nodes: [NetworkNamespaceFixture]
    let outside: NetworkNamespaceFixture
    let settings: [PodNetworkSettings]
    let kernels: [NetlinkPodNetworkKernel]
    let reconcilers: [PodNetworkReconciler]
    var runtimes: [CNIRuntime] = []
    var pods: [NetworkNamespaceFixture] = []
    let networkName = "rudder-test-\(UInt32.random(in: .min ... .max))"
    let root = NSTemporaryDirectory() + "rudder-cni-\(UInt32.random(in: .min ... .max))"

    static let podCIDRs = ["10.244.1.0/24", "10.244.2.0/24"]

    /// The lab; `iptablesVariant` is the egress rules' (a User-Mode Linux guest has only legacy).
    init(iptablesVariant: String? = nil) throws {
        nodes = [
            try NetworkNamespaceFixture(prefix: "rudder-node"), try NetworkNamespaceFixture(prefix: "rudder-node"),
        ]
        outside = try NetworkNamespaceFixture(prefix: "rudder-outside")
        try nodes[0].addVethPair("underlay", peer: "underlay", peerNamespace: nodes[1])
        try nodes[0].addAddress("192.168.77.1/24", to: "underlay")
        try nodes[1].addAddress("192.168.77.2/24", to: "underlay")
        try nodes[0].addVethPair("uplink", peer: "eth0", peerNamespace: outside)
        try nodes[0].addAddress("203.0.113.1/24", to: "uplink")
        try outside.addAddress("203.0.113.2/24", to: "eth0")
        var settings: [PodNetworkSettings] = []
        var kernels: [NetlinkPodNetworkKernel] = []
        var reconcilers: [PodNetworkReconciler] = []
        for node in nodes {
            let directory = root + "/" + node.name
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let layout = PodNetworkSettings(networkName: networkName, configDirectory: directory)
            let kernel = try NetlinkPodNetworkKernel(namespace: node.namespace)
            settings.append(layout)
            kernels.append(kernel)
            reconcilers.append(
                PodNetworkReconciler(
                    kernel: kernel,
                    egress: try EgressController(namespace: node.namespace, iptablesVariant: iptablesVariant),
                    settings: layout))
        }
        self.settings = settings
        self.kernels = kernels
        self.reconcilers = reconcilers
    }

    func directory(_ node: Int) -> String { settings[node].configDirectory }

    func state(_ node: Int) -> PodNetworkState {
        let cidrs = Self.podCIDRs.map { try! IPPrefix(parsing: $0) }
        return PodNetworkState(podCIDRs: [cidrs[node]], clusterPodCIDRs: cidrs, mtu: 1500)
    }

    /// Creates a pod namespace and runs the node's conflist ADD for it, as a runtime would.
    func startPod(on node: Int, name: String, portMappings: [PortMapping] = []) throws -> Pod {
        if runtimes.isEmpty {
            runtimes = try nodes.indices.map { index in
                let text = try String(contentsOfFile: settings[index].configPath, encoding: .utf8)
                return try CNIRuntime(conflist: Data(text.utf8), hostNamespace: "/run/netns/\(nodes[index].name)")
            }
        }
        let fixture = try NetworkNamespaceFixture(prefix: "rudder-pod")
        pods.append(fixture)
        let path = "/run/netns/\(fixture.name)"
        try CNIRuntime.loopback(netns: path, containerID: name)
        let result = try runtimes[node].add(containerID: name, netns: path, portMappings: portMappings)
        return Pod(name: name, node: node, fixture: fixture, result: result, portMappings: portMappings)
    }

    /// Runs DEL for the pod, in reverse plugin order, and removes its namespace.
    func stopPod(_ pod: Pod) throws {
        try runtimes[pod.node].delete(
            containerID: pod.name, netns: pod.netnsPath, portMappings: pod.portMappings, result: pod.result)
        try CNIRuntime.deleteLoopback(netns: pod.netnsPath, containerID: pod.name)
        try pod.fixture.remove()
    }

    /// The client address the server's namespace sees for a connection from `pod` to
    /// `address`:`port`, served on port 8080 there.
    func peer(
        from pod: Pod, to address: String, port: UInt16 = 8080, server: NetworkNamespaceFixture
    ) throws
        -> String
    {
        func established() throws -> Set<String> {
            let lines = try server.run("ss", ["-Htn", "state", "established"]).stdout
            return Set(lines.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") })
        }
        let before = try established()
        let connection = try TCPConnection(to: SocketEndpoint(address, port: port), from: pod.fixture.namespace)
        defer { connection.close() }
        _ = try connection.readLine()
        for line in try established().subtracting(before) {
            let columns = line.split(separator: " ")
            if columns.count >= 4, columns[2].hasSuffix(":8080") {
                return String(columns[3].split(separator: ":").first ?? "")
            }
        }
        throw TrafficError(operation: "no connection to \(address):\(port) seen in \(server)")
    }

    func tearDown() {
        for pod in pods { try? pod.remove() }
        for node in nodes { try? node.remove() }
        try? outside.remove()
        try? FileManager.default.removeItem(atPath: root)
        // host-local keeps its leases per network name on the host's disk.
        try? FileManager.default.removeItem(atPath: "/var/lib/cni/networks/\(networkName)")
    }
}
