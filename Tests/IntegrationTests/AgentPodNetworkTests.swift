import Addresses
import Agent
import Foundation
import Logging
import Netfilter
import Netlink
import PodNetwork
import PodRouting
import RudderLab
import ServiceLifecycle
import ServiceProxy
import Synchronization
import Testing

/// `rudder run`'s pod network on a fresh sandbox node (a network namespace of the host kernel)
/// following the test API server: boot order, a restart that changes nothing, and bad input.
@Suite(.serialized) struct AgentPodNetworkTests {
    /// How long a wait may take before it fails: the suite shares two cores with everything else.
    static let patience = Duration.seconds(240)

    /// The bridge is there, with Rudder's address, when the conflist appears; a pod added at that
    /// moment gets its network; the MTU comes from the node's link; a restart writes nothing; a
    /// changed pod CIDR moves the conflist and keeps the old gateway for the pods still on it.
    @Test func aFreshNodeBootsItsPodNetworkAndARestartChangesNothing() async throws {
        let lab = try PodNetworkAgentLab()
        defer { lab.tearDown() }
        let configPath = lab.configuration.podNetwork.settings.configPath

        var conflist: String?
        try await lab.run { agent in
            // Polled tightly: the moment the file exists, the bridge must already be complete.
            try await Polling.until("the conflist appears", timeout: Self.patience, every: .milliseconds(10)) {
                conflist = try? String(contentsOfFile: configPath, encoding: .utf8)
                return conflist != nil
            }
            let bridge = try lab.node.ip("-o", "address", "show", "dev", "kube-bridge")
            #expect(bridge.contains("10.244.1.1/24"), "\(bridge)")
            let pod = try lab.startPod(conflist: conflist!)
            #expect(pod.ips.first?.gateway == IPAddress("10.244.1.1"))
            // Rudder made the bridge (its fixed address), not the plugin.
            let link = try lab.node.ip("-o", "link", "show", "dev", "kube-bridge")
            #expect(link.contains("link/ether 02:0a:f4:01:00:01"), "\(link)")
            #expect(conflist!.contains("\"mtu\": 1400"), "the uplink's MTU\n\(conflist!)")
            try await Polling.until("ready", timeout: Self.patience) { agent.health.isReady }
            // A bridge whose last port leaves takes the kernel's default MTU again; the repair
            // loop puts the pods' back. Waited for here, so the restart below starts from it.
            try await Polling.until("the bridge has the pods' MTU", timeout: Self.patience) {
                try lab.node.ip("-o", "link", "show", "dev", "kube-bridge").contains("mtu 1400")
            }
            // What `rudder cni show` asks the running agent.
            #expect(await ControlServer.answer("cni", control: agent.control) == conflist)
        }

        let writes = lab.writes
        try await lab.run { agent in
            try await Polling.until("ready again", timeout: Self.patience) { agent.health.isReady }
        }
        #expect(lab.writes == writes, "a restart with nothing changed writes nothing")
        #expect(try String(contentsOfFile: configPath, encoding: .utf8) == conflist)

        try await lab.run { agent in
            try await Polling.until("ready", timeout: Self.patience) { agent.health.isReady }
            try lab.server.put(
                TestAPIServer.nodeJSON(name: "node-a", podCIDR: "10.244.9.0/24", internalIP: "192.168.1.10"))
            try await Polling.until("the conflist follows the new pod CIDR", timeout: Self.patience) {
                (try? String(contentsOfFile: configPath, encoding: .utf8))?.contains("10.244.9.0/24") == true
            }
            let bridge = try lab.node.ip("-o", "address", "show", "dev", "kube-bridge")
            #expect(bridge.contains("10.244.9.1/24") && bridge.contains("10.244.1.1/24"), "\(bridge)")
        }
    }

    /// A Node without a pod CIDR: the agent waits and says so, writes no conflist, and carries on
    /// with the rest; once the Node has one, the conflist appears.
    @Test func aNodeWithoutAPodCIDRWaitsAndSaysSo() async throws {
        let lab = try PodNetworkAgentLab(nodeName: "node-c")
        defer { lab.tearDown() }
        let configPath = lab.configuration.podNetwork.settings.configPath
        try await lab.run { agent in
            #expect(await ControlServer.answer("cni", control: agent.control).hasPrefix("error: "))
            try await Polling.until("the wait is on /readyz", timeout: Self.patience) {
                agent.health.report(readiness: true).contains(
                    "[!]pod-network waiting: node node-c has no pod CIDR yet")
            }
            #expect(!FileManager.default.fileExists(atPath: configPath))
            try await Polling.until("the proxy is ready all the same", timeout: Self.patience) {
                agent.health.report(readiness: true).contains("[+]\(ServiceProxyController.component) ok")
            }
            try lab.server.put(
                TestAPIServer.nodeJSON(name: "node-c", podCIDR: "10.244.3.0/24", internalIP: "192.168.1.10"))
            try await Polling.until("the conflist appears", timeout: Self.patience) {
                FileManager.default.fileExists(atPath: configPath)
            }
            try await Polling.until("ready", timeout: Self.patience) { agent.health.isReady }
            #expect(!agent.health.report(readiness: true).contains("[!]pod-network"))
        }
    }

    /// An unwritable CNI directory is one clear error on /readyz; the bridge and the rest carry on.
    @Test func anUnwritableCNIDirectoryIsOneClearError() async throws {
        let lab = try PodNetworkAgentLab { $0.podNetwork.settings.configDirectory = "/proc/rudder-no-cni" }
        defer { lab.tearDown() }
        try await lab.run { agent in
            try await Polling.until("the error is on /readyz", timeout: Self.patience) {
                agent.health.report(readiness: true).contains(
                    "[!]pod-network cannot create /proc/rudder-no-cni/.10-rudder.conflist.tmp: ")
            }
            #expect(try lab.node.ip("-o", "address", "show", "dev", "kube-bridge").contains("10.244.1.1/24"))
            try await Polling.until("the proxy is ready all the same", timeout: Self.patience) {
                agent.health.report(readiness: true).contains("[+]\(ServiceProxyController.component) ok")
            }
        }
    }
}

/// A sandbox node with an uplink of MTU 1400, the test API server with two Nodes and a Service,
/// and agents run one after another against the node's real kernel for the pod network.
final class PodNetworkAgentLab: Sendable {
    let node: NetworkNamespaceFixture
    let server: TestAPIServer
    let directory: String
    let configuration: RudderConfiguration
    let networkName = "rudder-test-\(UInt32.random(in: .min ... .max))"
    private let kernels = Mutex<[(NetlinkPodNetworkKernel, EgressController)]>([])

    /// Whether the pod routes go to the node's real kernel (else to an in-memory one).
    let realRoutes: Bool

    init(
        nodeName: String = "node-a", realRoutes: Bool = false, configure: (inout RudderConfiguration) -> Void = { _ in }
    ) throws {
        self.realRoutes = realRoutes
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rudder-podnet-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory + "/cni", withIntermediateDirectories: true)
        node = try NetworkNamespaceFixture(prefix: "rudder-node")
        try node.addVethPair("uplink", peer: "uplink-peer")
        try node.ip("link", "set", "uplink", "mtu", "1400")
        try node.addAddress("192.168.1.10/24", to: "uplink")
        server = TestAPIServer(directory: directory + "/apiserver", bookmarkInterval: 0.5)
        try server.start()
        try server.writeKubeconfig(to: directory + "/kubeconfig", user: .tokenFile)
        try server.load([
            TestAPIServer.nodeJSON(name: "node-a", podCIDR: "10.244.1.0/24", internalIP: "192.168.1.10"),
            TestAPIServer.nodeJSON(name: "node-b", podCIDR: "10.244.2.0/24", internalIP: "192.168.1.11"),
            TestAPIServer.nodeJSON(name: "node-c", podCIDR: nil, internalIP: "192.168.1.10"),
            TestAPIServer.serviceJSON(name: "web", clusterIP: "10.96.0.10"),
            TestAPIServer.endpointSliceJSON(
                name: "web-1", service: "web", addresses: ["10.244.1.5"], port: 8080, nodeName: "node-a"),
        ])
        var configuration = RudderConfiguration(nodeName: nodeName)
        configuration.kubernetes.kubeconfig = directory + "/kubeconfig"
        configuration.serviceProxy.ownershipRecord = directory + "/ipvs-services"
        configuration.http = .init(host: "127.0.0.1", port: 0)
        configuration.podNetwork.enabled = true
        configuration.podNetwork.settings.configDirectory = directory + "/cni"
        configuration.podNetwork.settings.networkName = networkName
        configure(&configuration)
        self.configuration = configuration
    }

    /// Writes of every pod-network kernel and egress controller the agents have used.
    var writes: Int { kernels.withLock { $0.reduce(0) { $0 + $1.0.writesSent + $1.1.writesSent } } }

    /// Runs one agent until `body` returns, then shuts it down gracefully.
    func run(_ body: (RudderAgent) async throws -> Void) async throws {
        let log = LogCapture()
        let kernels = RudderAgent.Kernels(
            services: { _ in InMemoryServiceKernel() },
            routes: { [node, realRoutes] in
                realRoutes
                    ? try NetlinkRouteKernel(namespace: node.namespace) as any RouteKernel : InMemoryRouteKernel()
            },
            podNetwork: { [node, self] settings in
                let kernel = try NetlinkPodNetworkKernel(namespace: node.namespace)
                let egress = try EgressController(namespace: node.namespace, iptablesVariant: settings.iptablesVariant)
                self.kernels.withLock { $0.append((kernel, egress)) }
                return (kernel, egress)
            })
        let agent = RudderAgent(
            configuration: configuration, environment: [:], hostname: "node-a", logger: log.logger, kernels: kernels)
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: try agent.controllers())], logger: Logger(label: "test")))
        let running = Task { try await group.run() }
        do {
            try await body(agent)
        } catch {
            Issue.record("agent log:\n\(log.text)")
            running.cancel()
            throw error
        }
        await group.triggerGracefulShutdown()
        _ = await running.result
    }

    /// Runs the conflist's ADD for a new pod, as a runtime that saw the file appear would.
    func startPod(conflist: String) throws -> CNIResult {
        let pod = try NetworkNamespaceFixture(prefix: "rudder-pod")
        pods.withLock { $0.append(pod) }
        let runtime = try CNIRuntime(conflist: Data(conflist.utf8), hostNamespace: "/run/netns/\(node.name)")
        let result = try runtime.add(containerID: pod.name, netns: "/run/netns/\(pod.name)")
        try runtime.delete(containerID: pod.name, netns: "/run/netns/\(pod.name)", result: result)
        return result
    }

    private let pods = Mutex<[NetworkNamespaceFixture]>([])

    func tearDown() {
        server.stop()
        for pod in pods.withLock({ $0 }) { try? pod.remove() }
        try? node.remove()
        try? FileManager.default.removeItem(atPath: directory)
        try? FileManager.default.removeItem(atPath: "/var/lib/cni/networks/\(networkName)")
    }
}
