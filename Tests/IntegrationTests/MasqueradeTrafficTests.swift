import Addresses
import Foundation
import GuestTesting
import Netfilter
import Netlink
import RudderLab
import ServiceProxy
import Testing

/// Masquerade and hairpin with real traffic through IPVS and iptables, in one User-Mode Linux guest.
///
/// The guest kernel has no nf_tables for the ip families, so the rules go through iptables-legacy;
/// the rule text is the same for both variants.
@Suite struct MasqueradeTrafficTests {
    static let modules = ["ip_vs", "ip_vs_rr", "veth", "dummy", "ip_set_hash_ip"] + NetfilterController.kernelModules

    /// (a) an outside client fails without the rules; (b) succeeds with them, seen from the node's
    /// address; (c) hairpin; (d) a second sync writes nothing; (e) hand-made rules and sets survive;
    /// (f) an external address of a Local Service keeps the client's address, a Cluster one does
    /// not; (g) traffic to an IPVS service made by hand is not rewritten.
    @Test(.userModeLinux, .inGuest(modules: Self.modules))
    func outsideClientAndHairpinThroughMasquerade() async throws {
        let lab = try MasqueradeLab()
        defer { lab.tearDown() }
        let reconciler = ServiceProxyReconciler(
            kernel: try NetlinkServiceKernel(), settings: MasqueradeLab.settings, record: lab.record)
        let services = [MasqueradeLab.web, MasqueradeLab.external(.local), MasqueradeLab.external(.cluster)]
        let programmed = try await reconciler.replaceAll(services)
        #expect(programmed.failures.isEmpty && programmed.applied.count == 10, "\(programmed)")

        // Made by hand before Rudder's rules: never Rudder's to change.
        try Shell.check("iptables-legacy", ["-t", "nat", "-A", "POSTROUTING", "-s", "192.0.2.0/24", "-j", "ACCEPT"])
        try Shell.check("ipset", ["create", "HANDMADE", "hash:ip"])
        try Shell.check("ipset", ["add", "HANDMADE", "192.0.2.7"])
        let foreignRulesBefore = try lab.foreignNatRules()
        let handmadeBefore = try Shell.check("ipset", ["save", "HANDMADE"])

        // (a) The backend's replies to an outside client take its default route, away from the node.
        #expect(throws: (any Error).self, "without masquerade the reply is lost\n\(lab.diagnostics())") {
            try TCPConnection.greeting(from: lab.client, to: MasqueradeLab.vip, timeout: .seconds(2))
        }

        let controller = try NetfilterController(iptablesVariant: "legacy")
        let state = NetfilterController.state(
            for: services, settings: MasqueradeLab.settings, podSubnets: [MasqueradeLab.podSubnet])
        let backend = IPAddress(MasqueradeLab.backendAddress)!
        #expect(state.loopback == [.ipPortIP(backend, protocol: .tcp, port: 8080, backend)])
        // The Local Service's external address is not in the service set; ClusterIPs always are.
        #expect(
            state.services.map(\.description).sorted() == [
                "10.96.0.10,tcp:80", "10.96.0.11,tcp:80", "10.96.0.12,tcp:80", "203.0.113.20,tcp:80",
            ])
        let firstWrites = try controller.sync(state)
        // The conntrack sysctl, then three sets and one restore for each family.
        #expect(firstWrites == 9, "\(lab.diagnostics())")
        #expect(controller.writesSent == firstWrites)
        let save = try Shell.check("iptables-legacy-save", ["-t", "nat"])
        #expect(MasqueradeRules.nat.observe(save: save).chains == MasqueradeRules.chainRules(.ipv4), "\(save)")
        #expect(MasqueradeRules.nat.observe(save: save).jumps == MasqueradeRules.nat.wantedJumps, "\(save)")
        let ip6save = try Shell.check("ip6tables-legacy-save", ["-t", "nat"])
        #expect(MasqueradeRules.nat.observe(save: ip6save).chains == MasqueradeRules.chainRules(.ipv6), "\(ip6save)")

        // (b) Now the backend sees the node's address, and replies return through the node.
        let held = try lab.withDiagnostics {
            try TCPConnection(to: MasqueradeLab.vip, from: lab.client, timeout: .seconds(5))
        }
        defer { held.close() }
        #expect(try lab.withDiagnostics { try held.readLine() } == "be1")
        let peers = try Shell.check("ip", ["netns", "exec", "be1", "ss", "-Htn", "state", "established"])
        #expect(peers.contains("10.200.1.1:"), "the backend's peer is the node\n\(peers)")
        #expect(!peers.contains("10.201.0.2"), "\(peers)")

        // (c) Hairpin: the only backend reaches itself through its Service.
        let hairpin = try lab.withDiagnostics {
            try TCPConnection.greeting(from: .named("be1"), to: MasqueradeLab.vip, timeout: .seconds(5))
        }
        #expect(hairpin == "be1")

        // (d) Nothing changed: nothing written, by this controller or a fresh one.
        #expect(try controller.sync(state) == 0)
        #expect(controller.writesSent == firstWrites)
        let restarted = try NetfilterController(iptablesVariant: "legacy")
        #expect(try restarted.sync(state) == 0 && restarted.writesSent == 0)

        // (e) The hand-made rule and set are as they were.
        #expect(try lab.foreignNatRules() == foreignRulesBefore)
        #expect(try Shell.check("ipset", ["save", "HANDMADE"]) == handmadeBefore)

        // (f) With a route back to the client, as a pod has through its node, a Local Service's
        // backend sees the client itself; a Cluster Service's backend still sees the node.
        try Shell.check("ip", ["-n", "be1", "route", "add", "10.201.0.0/24", "via", "10.200.1.1"])
        #expect(try lab.peerSeenByBackend(through: SocketEndpoint("203.0.113.10", port: 80)) == "10.201.0.2")
        #expect(try lab.peerSeenByBackend(through: SocketEndpoint("203.0.113.20", port: 80)) == "10.200.1.1")

        // (g) A virtual service made by hand, NAT to the same backend: its traffic is not Rudder's
        // to rewrite, so the backend sees the client.
        try Shell.check("ip", ["address", "add", "198.51.100.10/32", "dev", "lo"])
        try Shell.check("ipvsadm", ["-A", "-t", "198.51.100.10:80", "-s", "rr"])
        try Shell.check("ipvsadm", ["-a", "-t", "198.51.100.10:80", "-r", "10.200.1.2:8080", "-m"])
        #expect(try lab.peerSeenByBackend(through: SocketEndpoint("198.51.100.10", port: 80)) == "10.201.0.2")

        // One Service's change adds and deletes single members, and traffic follows at once.
        let moved = IPSetMember.ipPort(IPAddress("203.0.113.10")!, protocol: .tcp, port: 80)
        #expect(try controller.update(adding: [NetfilterMember(.services, moved)], removing: []) == 1)
        #expect(try lab.peerSeenByBackend(through: SocketEndpoint("203.0.113.10", port: 80)) == "10.200.1.1")
        #expect(try controller.update(adding: [], removing: [NetfilterMember(.services, moved)]) == 1)
        #expect(try lab.peerSeenByBackend(through: SocketEndpoint("203.0.113.10", port: 80)) == "10.201.0.2")

        // Disabling removes Rudder's chains and sets, and still nothing else.
        #expect(try controller.sync(MasqueradeState(enabled: false)) == 8)
        #expect(MasqueradeRules.nat.observe(save: try Shell.check("iptables-legacy-save", ["-t", "nat"])) == .init())
        let sets = try Shell.check("ipset", ["list", "-n"]).split(separator: "\n")
        #expect(sets == ["HANDMADE"])
        #expect(try lab.foreignNatRules() == foreignRulesBefore)
    }
}

/// The guest's network for the test; the guest's root namespace is the node:
///
///     client 10.201.0.2 ── 10.201.0.1 node 10.200.1.1 ── 10.200.1.2 be1 (default via a dead-end dummy)
///
/// be1 reaches the service range through the node, as pods do, but everything else leaves by a
/// dummy link where it is lost: only masquerade brings an outside client's replies back.
private final class MasqueradeLab {
    static let vip = SocketEndpoint("10.96.0.10", port: 80)
    static let backendAddress = "10.200.1.2"
    static let podSubnet = IPPrefix(address: IPAddress("10.200.1.0")!, length: 24)
    /// The reconciler leaves netfilter to the controller under test here (masquerade off); the
    /// guest kernel has only legacy iptables.
    static let settings = ProxySettings(
        nodeAddresses: [IPAddress("10.201.0.1")!], masquerade: false, iptablesVariant: "legacy")
    static let web = ProxiedService(
        name: ServiceName(namespace: "default", name: "web"), clusterIPs: [IPAddress(vip.address)!],
        ports: [ServicePort(name: "http", transport: .tcp, port: 80, targetPort: 8080)],
        endpoints: [ServiceEndpoint(address: IPAddress(backendAddress)!, isLocal: true)])

    /// A Service reached from outside on an external IP: 203.0.113.10 under the Local policy,
    /// 203.0.113.20 under Cluster. Its ClusterIP is not used by the test.
    static func external(_ policy: ProxiedService.TrafficPolicy) -> ProxiedService {
        let local = policy == .local
        return ProxiedService(
            name: ServiceName(namespace: "default", name: local ? "local" : "cluster"),
            clusterIPs: [IPAddress(local ? "10.96.0.11" : "10.96.0.12")!],
            externalIPs: [IPAddress(local ? "203.0.113.10" : "203.0.113.20")!],
            ports: [ServicePort(name: "http", transport: .tcp, port: 80, targetPort: 8080)],
            externalTrafficPolicy: policy,
            endpoints: [ServiceEndpoint(address: IPAddress(backendAddress)!, isLocal: true)])
    }

    let client = NetworkNamespace.named("client")
    let record: OwnershipRecord
    private let recordDirectory: String
    private var namespaces: [String] = []
    private var server: TCPNameServer?

    init() throws {
        // The guest's /run is a private tmpfs: the record never reaches the host's disk.
        recordDirectory = "/run/rudder-masquerade-\(UInt32.random(in: .min ... .max))"
        record = OwnershipRecord(path: recordDirectory + "/ipvs-services")
        do {
            try Shell.check("sysctl", ["-w", "net.ipv4.ip_forward=1"])
            try join("be1", nodeSide: "10.200.1.1", peerSide: Self.backendAddress)
            try ip("-n", "be1", "link", "add", "dead", "type", "dummy")
            try ip("-n", "be1", "address", "add", "10.250.0.2/24", "dev", "dead")
            try ip("-n", "be1", "link", "set", "dead", "up")
            try ip("-n", "be1", "route", "add", "default", "via", "10.250.0.1")
            try ip("-n", "be1", "route", "add", "10.96.0.0/16", "via", "10.200.1.1")
            server = try TCPNameServer(
                name: "be1", endpoint: SocketEndpoint(Self.backendAddress, port: 8080), namespace: .named("be1"))
            try join("client", nodeSide: "10.201.0.1", peerSide: "10.201.0.2")
            try ip("-n", "client", "route", "add", "default", "via", "10.201.0.1")
        } catch {
            tearDown()
            throw error
        }
    }

    private func ip(_ arguments: String...) throws {
        try Shell.check("ip", arguments)
    }

    /// Creates namespace `name` joined to the node by a veth pair in a /24, with no default route.
    private func join(_ name: String, nodeSide: String, peerSide: String) throws {
        try ip("netns", "add", name)
        namespaces.append(name)
        let nodeLink = "v-\(name)"
        try ip("link", "add", nodeLink, "type", "veth", "peer", "name", "eth0", "netns", name)
        try ip("address", "add", "\(nodeSide)/24", "dev", nodeLink)
        try ip("link", "set", nodeLink, "up")
        try ip("-n", name, "link", "set", "lo", "up")
        try ip("-n", name, "address", "add", "\(peerSide)/24", "dev", "eth0")
        try ip("-n", name, "link", "set", "eth0", "up")
    }

    func tearDown() {
        server?.stop()
        server = nil
        for name in namespaces.reversed() { _ = try? Shell.run("ip", ["netns", "delete", name]) }
        namespaces = []
        try? FileManager.default.removeItem(atPath: recordDirectory)
    }

    /// The address the backend sees for a connection from the client to `endpoint`.
    func peerSeenByBackend(through endpoint: SocketEndpoint) throws -> String {
        let local = "\(Self.backendAddress):8080"
        func established() throws -> Set<String> {
            let lines = try Shell.check("ip", ["netns", "exec", "be1", "ss", "-Htn", "state", "established"])
            return Set(lines.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") })
        }
        let before = try established()
        let connection = try withDiagnostics { try TCPConnection(to: endpoint, from: client, timeout: .seconds(5)) }
        defer { connection.close() }
        _ = try withDiagnostics { try connection.readLine() }
        let lines = try established().subtracting(before)
        // Columns: Recv-Q Send-Q Local Peer; the new line is the connection just made.
        for line in lines {
            let columns = line.split(separator: " ")
            if columns.count >= 4, columns[2] == local {
                return String(columns[3].split(separator: ":").first ?? "")
            }
        }
        throw TrafficError(operation: "no connection on \(local) in be1:\n\(lines)\n\(diagnostics())")
    }

    /// The nat table's chains and rules that are not Rudder's, from both families.
    func foreignNatRules() throws -> [String] {
        try ["iptables-legacy-save", "ip6tables-legacy-save"].flatMap { tool in
            // Chain headers carry packet counters, which traffic changes: keep only their names.
            try Shell.check(tool, ["-t", "nat"]).split(separator: "\n").filter {
                !$0.hasPrefix("#") && !$0.contains("RUDDER-")
            }.map { $0.hasPrefix(":") ? String($0.split(separator: " ")[0]) : String($0) }
        }
    }

    /// Runs `body`; an error it throws comes back with the kernel's state attached.
    func withDiagnostics<Result>(_ body: () throws -> Result) throws -> Result {
        do {
            return try body()
        } catch {
            throw TrafficError(operation: "\(error)\n\(diagnostics())")
        }
    }

    /// IPVS, its connections, the nat table with counters and the sets.
    func diagnostics() -> String {
        func output(_ command: String, _ arguments: [String]) -> String {
            guard let result = try? Shell.run(command, arguments) else { return "cannot run \(command)" }
            return "$ \(([command] + arguments).joined(separator: " "))\n\(result.stdout)\(result.stderr)"
        }
        return [
            output("ipvsadm", ["-Ln"]), output("ipvsadm", ["-Lnc"]),
            output("iptables-legacy-save", ["-c", "-t", "nat"]),
            output("ipset", ["list"]), output("sysctl", ["net.ipv4.vs.conntrack"]),
        ].joined(separator: "\n")
    }
}
