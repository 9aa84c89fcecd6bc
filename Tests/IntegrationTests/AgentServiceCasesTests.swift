import Foundation
import GuestTesting
import Netlink
import RudderLab
import ServiceProxy
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// What real clusters send, through `rudder run` into a real kernel (a User-Mode Linux guest):
/// the corpus of real-shaped objects must leave exactly kube-proxy's IPVS table, and real
/// connections show the load-balancer firewall, the Local fallback during a rolling update and
/// topology hints at work.
@Suite struct AgentServiceCasesTests {
    static let modules = ["ip_vs", "ip_vs_rr", "veth", "dummy"] + NetfilterController.kernelModules
    static let gateIP = SocketEndpoint("203.0.113.50", port: 80)
    static let gateClusterIP = SocketEndpoint("10.96.0.50", port: 80)
    static let rollNodePort = SocketEndpoint("10.201.0.1", port: 31060)
    static let rollClusterIP = SocketEndpoint("10.96.0.60", port: 80)
    static let zonalClusterIP = SocketEndpoint("10.96.0.70", port: 80)

    @Test(.userModeLinux, .inGuest(modules: Self.modules))
    func realClusterShapesThroughTheAgent() async throws {
        let lab = try TrafficLab()
        defer { lab.tearDown() }
        try Shell.check("ip", ["link", "set", "lo", "up"])
        let cases = try ServiceCase.all()
        let nodeA = try ServiceCase.nodeJSON()
        let nodeB = TestAPIServer.nodeJSON(name: "node-b", podCIDR: "10.250.0.0/24", internalIP: "10.200.2.2")
        let guest = try GuestAgent(objects: [nodeA, nodeB] + cases.flatMap(\.objects))
        defer { guest.stop() }
        // Made by hand before the agent starts: never Rudder's to change.
        try Shell.check("iptables-legacy", ["-A", "INPUT", "-s", "192.0.2.99/32", "-j", "ACCEPT"])
        let foreignFilter = try Self.foreignFilterRules()
        try guest.start(serviceProxy: ["masquerade: false", "iptables: legacy"], podRouting: false)
        func context() -> String { "\nagent log:\n\(guest.log)\n\(lab.diagnostics())\n\(Self.netfilter())" }
        try await GuestAgent.waitUntil("the agent is ready", context) { try GuestAgent.http("/readyz") == 200 }

        // The corpus: exactly kube-proxy's table, nothing more, nothing less.
        let expected = cases.flatMap(\.ipvs).sorted()
        try await GuestAgent.waitUntil("the corpus in IPVS", context) { try Self.saved(lab) == expected }
        #expect(try Self.saved(lab) == expected, "\(context())")

        // loadBalancerSourceRanges: the client's range is allowed, then only another range is.
        try guest.server.put(Self.gate(ranges: ["10.201.0.0/24"]))
        try guest.server.put(
            TestAPIServer.endpointSliceJSON(
                name: "gate-1", service: "gate", addresses: ["10.200.1.2"], port: 8080, nodeName: "node-b"))
        try await GuestAgent.waitUntil("gate's firewall allows the client's range", context) {
            try Self.allowed().contains("203.0.113.50,tcp:80,10.201.0.0/24")
                && lab.realServers(of: "TCP  203.0.113.50:80").count == 1
        }
        #expect(try lab.greeting(to: Self.gateIP) == "be1", "\(context())")
        try guest.server.put(Self.gate(ranges: ["192.0.2.0/24"]))
        try await GuestAgent.waitUntil("gate's firewall allows only 192.0.2.0/24", context) {
            try Self.allowed().filter { $0.hasPrefix("203.0.113.50,") } == ["203.0.113.50,tcp:80,192.0.2.0/24"]
        }
        let droppedBefore = try Self.dropped()
        #expect(throws: (any Error).self, "a client outside the ranges is refused\(context())") {
            try TCPConnection.greeting(from: lab.client, to: Self.gateIP, timeout: .seconds(2))
        }
        #expect(try Self.dropped() > droppedBefore, "the firewall's rule dropped it\(context())")
        // Only the load-balancer IP is filtered, as kube-proxy does: the ClusterIP still serves.
        #expect(try lab.greeting(to: Self.gateClusterIP) == "be1", "\(context())")

        // A rolling update of an externalTrafficPolicy Local Service: this node's only pod is
        // terminating but serving, another node's is ready. The NodePort keeps answering, locally.
        try guest.server.put(
            TestAPIServer.serviceJSON(
                name: "roll", clusterIP: Self.rollClusterIP.address,
                ports: [.init(name: "http", port: 80, targetPort: "8080", nodePort: 31060)], type: "NodePort",
                externalTrafficPolicy: "Local"))
        try guest.server.put(
            TestAPIServer.endpointSliceJSON(
                name: "roll-1", service: "roll",
                endpoints: [
                    .init(address: "10.200.1.2", ready: false, serving: true, terminating: true, nodeName: "node-a"),
                    .init(address: "10.200.2.2", nodeName: "node-b"),
                ], ports: [.init(name: "http", port: 8080)]))
        try await GuestAgent.waitUntil("roll in IPVS", context) {
            try lab.realServers(of: "TCP  10.201.0.1:31060").count == 1
        }
        #expect(try lab.spread { _ in try lab.greeting(to: Self.rollNodePort) } == ["be1": 10], "\(context())")
        #expect(try lab.spread { _ in try lab.greeting(to: Self.rollClusterIP) } == ["be2": 10], "\(context())")

        // Topology hints: node-a is in zone-a, so only the endpoint hinted for zone-a serves; when
        // the node moves to zone-b, the other one.
        try guest.server.put(
            TestAPIServer.serviceJSON(
                name: "zonal", clusterIP: Self.zonalClusterIP.address,
                ports: [.init(name: "http", port: 80, targetPort: "8080")],
                annotations: ["service.kubernetes.io/topology-mode": "Auto"]))
        try guest.server.put(
            TestAPIServer.endpointSliceJSON(
                name: "zonal-1", service: "zonal",
                endpoints: [
                    .init(address: "10.200.1.2", nodeName: "node-b", zone: "zone-b", hintZones: ["zone-b"]),
                    .init(address: "10.200.2.2", nodeName: "node-c", zone: "zone-a", hintZones: ["zone-a"]),
                ], ports: [.init(name: "http", port: 8080)]))
        try await GuestAgent.waitUntil("zonal in IPVS", context) {
            try lab.realServers(of: "TCP  10.96.0.70:80").count == 1
        }
        #expect(try lab.spread { _ in try lab.greeting(to: Self.zonalClusterIP) } == ["be2": 10], "\(context())")
        try guest.server.put(
            nodeA.replacingOccurrences(
                of: "\"topology.kubernetes.io/zone\": \"zone-a\"", with: "\"topology.kubernetes.io/zone\": \"zone-b\""))
        try await GuestAgent.waitUntil("zonal follows node-a to zone-b", context) {
            try lab.realServers(of: "TCP  10.96.0.70:80").first?.hasPrefix("10.200.1.2:8080") == true
        }
        #expect(try lab.spread { _ in try lab.greeting(to: Self.zonalClusterIP) } == ["be1": 10], "\(context())")

        // The hand-made rule is as it was, and the agent stops cleanly.
        #expect(try Self.foreignFilterRules() == foreignFilter)
        guest.agent?.kill(SIGTERM)
        #expect(guest.agent?.process.terminationStatus == 0, "\(context())")

        // A restarted agent adopts the firewall as it is: a replaced set would have a new initval.
        let sets = try Self.setHeaders()
        let table = try Self.saved(lab)
        try guest.start(serviceProxy: ["masquerade: false", "iptables: legacy"], podRouting: false)
        try await GuestAgent.waitUntil("the restarted agent is ready", context) {
            try GuestAgent.http("/readyz") == 200
        }
        #expect(try Self.setHeaders() == sets, "the firewall's sets were rewritten\(context())")
        #expect(try Self.saved(lab) == table)
        #expect(throws: (any Error).self, "still refused after the restart\(context())") {
            try TCPConnection.greeting(from: lab.client, to: Self.gateIP, timeout: .seconds(2))
        }
        #expect(try Self.foreignFilterRules() == foreignFilter)
    }

    /// The headers of the firewall's sets, with the initval a replace changes.
    static func setHeaders() throws -> String {
        try NetfilterSet.allCases.filter(\.isFirewall).flatMap { [$0.name(.ipv4), $0.name(.ipv6)] }.map {
            try Shell.check("ipset", ["list", "-t", $0]).split(separator: "\n").filter { $0.hasPrefix("Header") }
                .joined()
        }.joined(separator: "\n")
    }

    /// The LoadBalancer Service "gate" with `ranges`.
    static func gate(ranges: [String]) -> String {
        TestAPIServer.serviceJSON(
            name: "gate", clusterIP: gateClusterIP.address,
            ports: [.init(name: "http", port: 80, targetPort: "8080", nodePort: 31050)], type: "LoadBalancer",
            loadBalancerIngress: [gateIP.address], loadBalancerSourceRanges: ranges)
    }

    /// `ipvsadm -Sn`, sorted, without the Services of this test's traffic checks (10.96.0.x).
    static func saved(_ lab: TrafficLab) throws -> [String] {
        try lab.ipvsadm("-Sn").split(separator: "\n").map(String.init).filter { !$0.contains("10.96.0.") }.sorted()
    }

    /// The members of the allowed-sources set.
    static func allowed() throws -> [String] {
        let listed = try Shell.check("ipset", ["list", NetfilterSet.allowedSources.name(.ipv4)])
        guard let start = listed.range(of: "Members:\n") else { return [] }
        return listed[start.upperBound...].split(separator: "\n").map(String.init).sorted()
    }

    /// Packets the firewall's rule has dropped.
    static func dropped() throws -> Int {
        let listed = try Shell.check("iptables-legacy", ["-L", MasqueradeRules.firewallChain, "-n", "-v", "-x"])
        let rule = listed.split(separator: "\n").first { $0.contains("DROP") }
        return rule.flatMap { Int($0.split(separator: " ").first ?? "") } ?? -1
    }

    /// The filter table's rules that are not Rudder's.
    static func foreignFilterRules() throws -> [String] {
        try Shell.check("iptables-legacy-save", ["-t", "filter"]).split(separator: "\n").map(String.init).filter {
            $0.hasPrefix("-A") && !$0.contains("RUDDER")
        }
    }

    /// Rudder's netfilter state, for a failure's message.
    static func netfilter() -> String {
        let save = (try? Shell.run("iptables-legacy-save", ["-t", "filter"]))?.stdout ?? ""
        let sets = (try? Shell.run("ipset", ["list"]))?.stdout ?? ""
        return "$ iptables-legacy-save -t filter\n\(save)$ ipset list\n\(sets)"
    }
}
