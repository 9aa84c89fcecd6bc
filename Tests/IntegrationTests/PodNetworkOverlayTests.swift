import Addresses
import Foundation
import GuestTesting
import KubernetesModel
import Netlink
import PodNetwork
import PodRouting
import RudderLab
import Testing

@testable import Agent

/// The IP-in-IP overlay between three nodes on two subnets, in one User-Mode Linux guest (the
/// host kernel has no `ipip`). Each node does what `rudder run` does on a Node event: the Nodes
/// become a `PodNetworkState` (`NodePodNetwork`), the pod network is applied, then the pod routes
/// (`NodeRoutes`) through the tunnels it reports.
@Suite struct PodNetworkOverlayTests {
    /// The tunnel, the pods' veths and bridges; modprobe brings what they depend on (stp, llc, ipv6).
    static let modules = ["ipip", "ip_tunnel", "tunnel4", "veth", "bridge"]

    /// (a) `subnet`: a tunnel only to the node across the router, pods reach both nodes' pods,
    /// and the router knows no pod route; (d) the same state again writes nothing; (b) a removed
    /// node takes its tunnel and route along; (c) `full`: tunnels to every node, traffic still flows.
    @Test(.userModeLinux, .inGuest(modules: Self.modules))
    func podsReachOtherNodesThroughTunnelsOnlyWhereTheOverlayModeSays() async throws {
        let lab = try OverlayLab()
        defer { lab.tearDown() }
        let (a, b, c) = (0, 1, 2)
        let tunnelToB = OverlayTunnel.name(remote: lab.address(b))
        let tunnelToC = OverlayTunnel.name(remote: lab.address(c))
        #expect(tunnelToB == "rtunc0a8010b" && tunnelToC == "rtunc0a8020c")

        // (a) subnet: A and B share 192.168.1.0/24, C is behind the router.
        var agents = try lab.agents(overlay: .subnet)
        var syncs: [NodeAgent.Sync] = []
        for agent in agents {
            let sync = try await agent.sync(lab.kubernetesNodes())
            #expect(sync.isClean && sync.network.configurationWritten, "\(sync)\n\(lab.diagnostics())")
            syncs.append(sync)
        }
        #expect(syncs[a].network.tunnelLinks == [lab.address(c): try lab.linkIndex(on: a, name: tunnelToC)])
        #expect(try lab.tunnels(on: a) == [tunnelToC: IPIPTunnel(local: lab.address(a), remote: lab.address(c))])
        #expect(try lab.tunnels(on: b) == [tunnelToC: IPIPTunnel(local: lab.address(b), remote: lab.address(c))])
        #expect(try lab.tunnels(on: c).keys.sorted() == [OverlayTunnel.name(remote: lab.address(a)), tunnelToB])
        #expect(
            try lab.podRoutes(on: a) == [
                "10.244.2.0/24 via 192.168.1.11 dev eth0 onlink",
                "10.244.3.0/24 via 192.168.2.12 dev \(tunnelToC) onlink",
            ], "\(lab.diagnostics())")
        let routerRoutes = try lab.router.ip("route", "show")
        #expect(!routerRoutes.contains("10.244."), "\(routerRoutes)")
        let routerLookup = try Shell.run("ip", ["-n", lab.router.name, "route", "get", "10.244.3.2"])
        #expect(!routerLookup.succeeded, "the router must have no way to pod addresses: \(routerLookup.stdout)")

        let mtu = try #require(agents[a].lastState?.mtu)
        #expect(mtu == 1480, "the underlay's 1500 less the outer header")
        for node in [a, b, c] { try lab.addPod(on: node, mtu: mtu) }
        try await lab.waitUntilForwarding()

        let sentToC = try lab.txPackets(on: a, link: tunnelToC)
        #expect(try lab.withDiagnostics { try lab.greeting(from: a, to: b) } == "pod-b")
        #expect(try lab.txPackets(on: a, link: tunnelToC) == sentToC, "pod B is reached directly")
        #expect(try lab.withDiagnostics { try lab.greeting(from: a, to: c) } == "pod-c")
        #expect(try lab.withDiagnostics { try lab.greeting(from: c, to: a) } == "pod-a")
        #expect(try lab.txPackets(on: a, link: tunnelToC) > sentToC, "pod C is reached through the tunnel")

        // (d) Nothing changed: no link, address, file or route write on any node.
        try await expectNoWrites(agents, lab: lab)

        // (b) Node C leaves the cluster: A's tunnel to it and the route to its pods go.
        let withoutC = try lab.kubernetesNodes().filter { $0.metadata.name != lab.name(c) }
        let removal = try await agents[a].sync(withoutC)
        #expect(removal.network.applied == [.deleteLink(name: tunnelToC)], "\(removal)")
        #expect(removal.network.failures.isEmpty && removal.routes.unresolved.isEmpty, "\(removal)")
        // The kernel drops a link's routes with it, and says nothing about them: the route
        // reconciler, told only afterwards, sends the delete and takes its ESRCH as done.
        #expect(removal.routes.failures.isEmpty, "\(removal)")
        // What the reconciler's loop does on the tunnel's link event converges without a write.
        let resynced = try await agents[a].resyncRoutes()
        #expect(resynced.applied.isEmpty && resynced.failures.isEmpty, "\(resynced)")
        #expect(try lab.tunnels(on: a).isEmpty)
        #expect(try lab.podRoutes(on: a) == ["10.244.2.0/24 via 192.168.1.11 dev eth0 onlink"])
        #expect(try lab.withDiagnostics { try lab.greeting(from: a, to: b) } == "pod-b")

        // (c) full, as after a restart with the new setting: a tunnel to every other node.
        agents = try lab.agents(overlay: .full)
        for agent in agents {
            let sync = try await agent.sync(lab.kubernetesNodes())
            #expect(sync.isClean, "\(sync)\n\(lab.diagnostics())")
        }
        for node in [a, b, c] {
            let others = [a, b, c].filter { $0 != node }
            #expect(
                try lab.tunnels(on: node)
                    == Dictionary(
                        uniqueKeysWithValues: others.map {
                            (
                                OverlayTunnel.name(remote: lab.address($0)),
                                IPIPTunnel(local: lab.address(node), remote: lab.address($0))
                            )
                        }))
        }
        #expect(
            try lab.podRoutes(on: a) == [
                "10.244.2.0/24 via 192.168.1.11 dev \(tunnelToB) onlink",
                "10.244.3.0/24 via 192.168.2.12 dev \(tunnelToC) onlink",
            ], "\(lab.diagnostics())")
        let sentToB = try lab.txPackets(on: a, link: tunnelToB)
        #expect(try lab.withDiagnostics { try lab.greeting(from: a, to: b) } == "pod-b")
        #expect(try lab.withDiagnostics { try lab.greeting(from: a, to: c) } == "pod-c")
        #expect(try lab.txPackets(on: a, link: tunnelToB) > sentToB, "pod B is now reached through the tunnel")
        try await expectNoWrites(agents, lab: lab)

        lab.tearDown()
        #expect(!FileManager.default.fileExists(atPath: lab.root), "the conflists' directory is removed")
    }

    /// Syncs every node again with the same Nodes and expects no write to reach any kernel or file.
    private func expectNoWrites(_ agents: [NodeAgent], lab: OverlayLab) async throws {
        let before = agents.map(\.writesSent)
        for agent in agents {
            let again = try await agent.sync(lab.kubernetesNodes())
            #expect(
                again.isClean && again.network.applied.isEmpty && !again.network.configurationWritten
                    && again.routes.applied.isEmpty, "\(again)")
        }
        #expect(agents.map(\.writesSent) == before)
    }
}

/// One node's share of `rudder run`: the pod network, then the pod routes through its tunnels.
private final class NodeAgent {
    /// What one pass did.
    struct Sync: CustomStringConvertible {
        var network: PodNetworkReconciler.Report
        var routes: RouteReconciler.Report
        var problems: [String]

        var isClean: Bool {
            network.failures.isEmpty && network.problems.isEmpty && routes.failures.isEmpty
                && routes.conflicts.isEmpty && routes.unresolved.isEmpty && problems.isEmpty
        }

        var description: String {
            "pod network: \(network) \(network.failures) \(network.problems); routes: \(routes) "
                + "\(routes.failures) \(routes.unresolved); problems: \(problems)"
        }
    }

    let name: String
    let address: IPAddress
    let settings: PodNetworkSettings
    private let podKernel: NetlinkPodNetworkKernel
    private let podNetwork: PodNetworkReconciler
    private let routeKernel: NetlinkRouteKernel
    private let routes: RouteReconciler
    /// The state the last pass applied.
    private(set) var lastState: PodNetworkState?

    init(name: String, address: IPAddress, namespace: NetworkNamespace, settings: PodNetworkSettings) throws {
        self.name = name
        self.address = address
        self.settings = settings
        podKernel = try NetlinkPodNetworkKernel(namespace: namespace)
        podNetwork = PodNetworkReconciler(kernel: podKernel, egress: nil, settings: settings)
        routeKernel = try NetlinkRouteKernel(namespace: namespace)
        routes = RouteReconciler(kernel: routeKernel)
    }

    /// Writes sent by both kernels so far.
    var writesSent: Int { podKernel.writesSent + routeKernel.writesSent }

    /// What the route reconciler's loop does when a link changes: read the kernel and plan everything.
    func resyncRoutes() async throws -> RouteReconciler.Report {
        try await routes.resync()
    }

    /// What the agent does after a Node event, in its order: tunnels before the routes that name them.
    func sync(_ nodes: [Node]) async throws -> Sync {
        let underlay = try await podNetwork.underlay(for: address)
        let outcome = NodePodNetwork.outcome(nodes: nodes, selfName: name, settings: settings, underlay: underlay)
        guard let wanted = outcome.state else {
            throw TrafficError(operation: "\(name) has no pod network state: \(outcome.waiting ?? "?")")
        }
        lastState = wanted
        let network = await podNetwork.apply(wanted)
        let (podRoutes, problems) = NodeRoutes.routes(nodes: nodes, selfName: name, tunnels: network.tunnelLinks)
        let routed = try await routes.apply(podRoutes)
        return Sync(network: network, routes: routed, problems: outcome.problems + problems)
    }
}

/// Three nodes and a router, each a network namespace of the guest:
///
///     node-a 192.168.1.10 ─┐
///                          ├─ br1 192.168.1.1  router  192.168.2.1 ── 192.168.2.12 node-c
///     node-b 192.168.1.11 ─┘
///
/// The router forwards between its subnets and has no route to any pod CIDR; every node's
/// default route goes through it. A pod is a namespace on its node's `kube-bridge`, set up as
/// the CNI bridge plugin does it (a veth with the conflist's MTU, the gateway as default route).
private final class OverlayLab {
    /// Each node's name in the Nodes, its address and its pod CIDR.
    static let nodePlan = [
        (name: "node-a", address: "192.168.1.10", podCIDR: "10.244.1.0/24"),
        (name: "node-b", address: "192.168.1.11", podCIDR: "10.244.2.0/24"),
        (name: "node-c", address: "192.168.2.12", podCIDR: "10.244.3.0/24"),
    ]
    /// Where each pod's server listens.
    static let podPort: UInt16 = 8080

    let router: NetworkNamespaceFixture
    private(set) var nodes: [NetworkNamespaceFixture] = []
    private var pods: [NetworkNamespaceFixture] = []
    private var servers: [TCPNameServer] = []
    /// The nodes' CNI configuration directories, on the guest's private /run (a tmpfs), so
    /// nothing lands on the host's disk even if the guest dies before the clean-up.
    let root = "/run/rudder-overlay-\(UInt32.random(in: .min ... .max))"

    init() throws {
        router = try NetworkNamespaceFixture(prefix: "ovl-router")
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            try router.ip("link", "add", "br1", "type", "bridge")
            try router.addAddress("192.168.1.1/24", to: "br1")
            try router.setUp("br1")
            try Self.forward(router)
            for (index, plan) in Self.nodePlan.enumerated() {
                let node = try NetworkNamespaceFixture(prefix: "ovl-node")
                nodes.append(node)
                let port = "port-\(plan.name.suffix(1))"
                try node.addVethPair("eth0", peer: port, peerNamespace: router)
                try node.addAddress("\(plan.address)/24", to: "eth0")
                if index < 2 {
                    try router.ip("link", "set", port, "master", "br1")
                } else {
                    try router.addAddress("192.168.2.1/24", to: port)
                }
                let gateway = index < 2 ? "192.168.1.1" : "192.168.2.1"
                try node.ip("route", "add", "default", "via", gateway)
                try Self.forward(node)
                try FileManager.default.createDirectory(
                    atPath: directory(index), withIntermediateDirectories: true)
            }
        } catch {
            tearDown()
            throw error
        }
    }

    /// Turns on IPv4 forwarding, which nodes and the router need and a new namespace starts without.
    private static func forward(_ namespace: NetworkNamespaceFixture) throws {
        let result = try namespace.run("sysctl", ["-w", "net.ipv4.ip_forward=1"])
        guard result.succeeded else { throw ShellError(commandLine: result.commandLine, result: result) }
    }

    /// The node's name in the Nodes.
    func name(_ node: Int) -> String { Self.nodePlan[node].name }
    /// The node's address on its subnet.
    func address(_ node: Int) -> IPAddress { IPAddress(Self.nodePlan[node].address)! }
    /// The node's CNI configuration directory.
    func directory(_ node: Int) -> String { root + "/" + name(node) }

    /// The three Nodes as the API server would list them.
    func kubernetesNodes() throws -> [Node] {
        try Self.nodePlan.map { plan in
            try JSONDecoder().decode(
                Node.self,
                from: Data(
                    TestAPIServer.nodeJSON(name: plan.name, podCIDR: plan.podCIDR, internalIP: plan.address).utf8))
        }
    }

    /// A fresh agent per node with the overlay in `overlay`, as after a (re)start.
    func agents(overlay: OverlayMode) throws -> [NodeAgent] {
        try nodes.indices.map { index in
            try NodeAgent(
                name: name(index), address: address(index), namespace: nodes[index].namespace,
                settings: PodNetworkSettings(configDirectory: directory(index), overlay: overlay))
        }
    }

    /// Rudder's tunnels on a node, by name, as the kernel reports them.
    func tunnels(on node: Int) throws -> [String: IPIPTunnel] {
        let links = try Rtnetlink(namespace: nodes[node].namespace).links()
        var result: [String: IPIPTunnel] = [:]
        for link in links where OverlayTunnel.isOwned(name: link.name, kind: link.kind) {
            result[link.name] = link.tunnel
        }
        return result
    }

    /// The interface index of a node's link.
    func linkIndex(on node: Int, name: String) throws -> Int32 {
        guard let link = try Rtnetlink(namespace: nodes[node].namespace).link(named: name) else {
            throw TrafficError(operation: "no link \(name) on \(self.name(node))")
        }
        return link.index
    }

    /// Rudder's routes on a node, as `ip` prints them.
    func podRoutes(on node: Int) throws -> [String] {
        let output = try nodes[node].ip("route", "show", "proto", "\(PodRoutingSettings.rudderProtocol)")
        return output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// Packets a link of a node has sent.
    func txPackets(on node: Int, link: String) throws -> Int {
        let output = try nodes[node].ip("-s", "-j", "link", "show", "dev", link)
        guard let links = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]],
            let stats = links.first?["stats64"] as? [String: Any], let tx = stats["tx"] as? [String: Any],
            let packets = tx["packets"] as? Int
        else { throw TrafficError(operation: "no tx packet count for \(link) in \(output)") }
        return packets
    }

    /// Creates the node's pod: the next address of its pod CIDR, a server on it that names it.
    func addPod(on node: Int, mtu: UInt32) throws {
        let pod = try NetworkNamespaceFixture(prefix: "ovl-pod")
        pods.append(pod)
        let host = "veth-\(name(node))"
        try nodes[node].ip(
            "link", "add", host, "mtu", "\(mtu)", "type", "veth", "peer", "name", "eth0", "mtu", "\(mtu)", "netns",
            pod.name)
        try nodes[node].ip("link", "set", host, "master", "kube-bridge")
        try nodes[node].setUp(host)
        try pod.addAddress(podAddress(node) + "/24", to: "eth0")
        try pod.setUp("eth0")
        try pod.ip("route", "add", "default", "via", podGateway(node))
        servers.append(
            try TCPNameServer(
                name: "pod-\(name(node).suffix(1))", endpoint: SocketEndpoint("0.0.0.0", port: Self.podPort),
                namespace: pod.namespace))
    }

    /// The address of the node's pod.
    private func podAddress(_ node: Int) -> String { "10.244.\(node + 1).2" }
    /// The node's gateway for its pods: the first address of its pod CIDR.
    private func podGateway(_ node: Int) -> String { "10.244.\(node + 1).1" }

    /// Waits until every bridge port forwards: a port joins once the kernel has seen its carrier.
    func waitUntilForwarding() async throws {
        let bridges = nodes + [router]
        try await Polling.until("every bridge port forwards", timeout: .seconds(240), context: { self.diagnostics() }) {
            try bridges.allSatisfy { namespace in
                let ports = try Shell.check("bridge", ["-n", namespace.name, "link", "show"])
                    .split(separator: "\n")
                return !ports.isEmpty && ports.allSatisfy { $0.contains("state forwarding") }
            }
        }
    }

    /// The name the server in `to`'s pod greets a connection from `from`'s pod with.
    func greeting(from: Int, to: Int) throws -> String {
        try TCPConnection.greeting(
            from: pods[from].namespace, to: SocketEndpoint(podAddress(to), port: Self.podPort))
    }

    /// Runs `body`; an error it throws comes back with every namespace's state attached.
    func withDiagnostics<Result>(_ body: () throws -> Result) throws -> Result {
        do {
            return try body()
        } catch {
            throw TrafficError(operation: "\(error)\n\(diagnostics())")
        }
    }

    /// Links, addresses and routes of the router, the nodes and the pods.
    func diagnostics() -> String {
        let labelled =
            [("router", router)] + nodes.indices.map { (name($0), nodes[$0]) }
            + pods.indices.map { ("pod on \(name($0))", pods[$0]) }
        return labelled.map { label, namespace in
            let parts = [["-d", "link"], ["address"], ["route"]].map { arguments in
                (try? namespace.ip(arguments)) ?? "cannot run ip \(arguments)"
            }
            return "--- \(label) (\(namespace.name))\n" + parts.joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// Stops the servers, deletes every namespace (their links go with them) and the directory; idempotent.
    func tearDown() {
        for server in servers { server.stop() }
        servers = []
        for namespace in pods + nodes + [router] { try? namespace.remove() }
        pods = []
        try? FileManager.default.removeItem(atPath: root)
    }
}
