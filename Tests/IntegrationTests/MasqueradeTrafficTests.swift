import Foundation
import Netlink
import ServiceProxy
import TestSupport
import Testing

/// Masquerade and hairpin with real traffic through IPVS and iptables, in one User-Mode Linux guest.
///
/// The guest kernel has no nf_tables for the ip families, so the rules go through iptables-legacy;
/// the rule text is the same for both variants.
@Suite struct MasqueradeTrafficTests {
    static let modules = [
        "ip_vs", "ip_vs_rr", "veth", "dummy", "nf_conntrack", "nf_nat", "iptable_nat", "ip6table_nat", "xt_ipvs",
        "xt_set", "xt_MASQUERADE", "xt_comment", "ip_set", "ip_set_hash_ip", "ip_set_hash_net", "ip_set_hash_ipportip",
    ]

    /// (a) an outside client fails without the rules; (b) succeeds with them, seen from the node's
    /// address; (c) hairpin; (d) a second sync writes nothing; (e) hand-made rules and sets survive.
    @Test(
        .enabled(
            if: UserModeLinux.isAvailable || UserModeLinux.isGuest,
            "User-Mode Linux needs root and the user-mode-linux package"))
    func outsideClientAndHairpinThroughMasquerade() async throws {
        guard UserModeLinux.isGuest else {
            let result = try await UserModeLinux.runTestInGuest(
                "MasqueradeTrafficTests/outsideClientAndHairpinThroughMasquerade", modules: Self.modules)
            #expect(result.passed, "\(result.passed ? "" : "\(result)\n\(result.guest.output)")")
            return
        }
        let lab = try MasqueradeLab()
        defer { lab.tearDown() }
        let reconciler = ServiceProxyReconciler(
            kernel: try NetlinkServiceKernel(), settings: MasqueradeLab.settings, record: lab.record)
        let programmed = try await reconciler.replaceAll([MasqueradeLab.web])
        #expect(programmed.failures.isEmpty && programmed.applied.count == 2, "\(programmed)")

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
            for: [MasqueradeLab.web], settings: MasqueradeLab.settings, podSubnets: [MasqueradeLab.podSubnet])
        let backend = IPAddress(MasqueradeLab.backendAddress)!
        #expect(state.loopback == [.ipPortIP(backend, protocol: .tcp, port: 8080, backend)])
        let firstWrites = try controller.sync(state)
        // The conntrack sysctl, then two sets and one restore for each family.
        #expect(firstWrites == 7, "\(lab.diagnostics())")
        #expect(controller.writesSent == firstWrites)
        let save = try Shell.check("iptables-legacy-save", ["-t", "nat"])
        #expect(MasqueradeRules.observe(save: save).rules == MasqueradeRules.chainRules(.ipv4), "\(save)")
        let ip6save = try Shell.check("ip6tables-legacy-save", ["-t", "nat"])
        #expect(MasqueradeRules.observe(save: ip6save).rules == MasqueradeRules.chainRules(.ipv6), "\(ip6save)")

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

        // Disabling removes Rudder's chains and sets, and still nothing else.
        #expect(try controller.sync(MasqueradeState(enabled: false)) == 6)
        #expect(MasqueradeRules.observe(save: try Shell.check("iptables-legacy-save", ["-t", "nat"])) == .init())
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
