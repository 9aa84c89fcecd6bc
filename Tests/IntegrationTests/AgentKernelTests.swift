import Foundation
import GuestTesting
import Netlink
import RudderLab
import ServiceProxy
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `rudder run` end to end in a User-Mode Linux guest: the test API server on the guest's
/// loopback holds Services, EndpointSlices and Nodes, the agent programs IPVS and the pod routes
/// from them, and a client's real connections follow.
@Suite struct AgentKernelTests {
    static let modules = ["ip_vs", "ip_vs_rr", "veth", "dummy"]

    @Test(.userModeLinux, .inGuest(modules: Self.modules))
    func theAgentFollowsTheAPIServerAndRidesOutItsLoss() async throws {
        let lab = try TrafficLab()
        defer { lab.tearDown() }
        try Shell.check("ip", ["link", "set", "lo", "up"])
        let guest = try GuestAgent(objects: [
            TestAPIServer.nodeJSON(name: "node-a", podCIDR: "10.244.0.0/24", internalIP: "10.201.0.1"),
            // A node on be1's link: its pod CIDR is routed straight to it.
            TestAPIServer.nodeJSON(name: "node-b", podCIDR: "10.250.0.0/24", internalIP: "10.200.1.2"),
        ])
        defer { guest.stop() }
        let server = guest.server
        try guest.start(serviceProxy: ["masquerade: false", "gracePeriod: 5s"])
        func context() -> String {
            "\nagent log:\n\(guest.log)\n\(lab.diagnostics())"
        }
        try await GuestAgent.waitUntil("the agent is ready", context) { try GuestAgent.http("/readyz") == 200 }
        try await GuestAgent.waitUntil("the route to node-b's pods", context) {
            try Shell.check("ip", ["route", "show", "proto", "44"]).contains("10.250.0.0/24 via 10.200.1.2")
        }

        // Create: the Service reaches IPVS and traffic follows.
        try server.put(
            TestAPIServer.serviceJSON(
                name: "web", clusterIP: "10.96.0.10",
                ports: [.init(name: "http", port: 80, targetPort: "http", nodePort: 30080)], type: "NodePort"))
        try server.put(
            TestAPIServer.endpointSliceJSON(
                name: "web-1", service: "web", addresses: ["10.200.1.2"], port: 8080, nodeName: "node-a"))
        try await GuestAgent.waitUntil("web in IPVS", context) { try Self.endpoints(lab) == ["10.200.1.2:8080"] }
        #expect(try lab.greeting() == "be1")
        #expect(try lab.greeting(to: TrafficLab.nodePortTCP) == "be1")

        // Scale: a second endpoint, and round robin spreads over both.
        try server.put(
            TestAPIServer.endpointSliceJSON(
                name: "web-1", service: "web", addresses: ["10.200.1.2", "10.200.2.2"], port: 8080))
        try await GuestAgent.waitUntil("two endpoints", context) { try Self.endpoints(lab).count == 2 }
        #expect(try lab.spread { _ in try lab.greeting() } == ["be1": 5, "be2": 5], "\(context())")

        // The API server is gone for 30 s: IPVS stays as it is, every connection succeeds, the
        // agent stays live.
        let table = try lab.ipvsadm("-Sn")
        let client = ConnectionLoop(lab: lab)
        try client.waitForSuccesses(5)
        server.kill()
        let outage = ContinuousClock.now
        while ContinuousClock.now - outage < .seconds(30) {
            #expect(try lab.ipvsadm("-Sn") == table, "IPVS changed while the API server was down\(context())")
            #expect(try GuestAgent.http("/healthz") == 200, "liveness must not depend on the API server")
            try await Task.sleep(for: .seconds(2))
        }
        try server.restart()
        // After the restart the agent resumes its watches from its resourceVersion: no LIST.
        try server.put(
            TestAPIServer.endpointSliceJSON(name: "web-1", service: "web", addresses: ["10.200.2.2"], port: 8080))
        try await GuestAgent.waitUntil("the change made after the restart", context, timeout: .seconds(60)) {
            try Self.endpoints(lab) == ["10.200.2.2:8080"]
        }
        let requests = try server.requests()
        #expect(!requests.isEmpty)
        #expect(
            requests.allSatisfy { $0.query["watch"] == "true" && $0.query["resourceVersion"] != nil },
            "\(requests)")
        let summary = client.stop()
        #expect(summary.failures.isEmpty, "connections failed: \(summary.failures)")
        // The informers come back one by one, each after its own backoff (up to 30 s after an
        // outage this long): the next step needs all three watching.
        try server.waitForWatchers(3, timeout: 60)
        // A watch counts as healthy (and resets its backoff) once it has delivered something: wait
        // for a bookmark on each, or a watch broken below right after connecting would wait out
        // its backoff, up to 30 s.
        try await Task.sleep(for: .seconds(2))
        // The endpoint that left drains (weight 0) and goes once its grace period ends; the
        // re-list below must then find nothing to do.
        try await GuestAgent.waitUntil("the old endpoint deleted after its grace period", context) {
            try !lab.ipvsadm("-Sn").contains("10.200.1.2:8080")
        }

        // A forced 410: the informers LIST again, and IPVS is never touched meanwhile.
        let settled = try lab.ipvsadm("-Sn")
        try server.clearRequests()
        // At once: a bookmark sent between the two would carry the new resourceVersion and
        // rightly spare the agent its 410.
        try server.compactAndDropWatches()
        let relist = ContinuousClock.now
        var listed = false
        // Bounded, not timed: after the 30 s outage a watch the server drops at once has not proved
        // the server healthy, so the informer may still be in its longest backoff (30 s, jittered),
        // and a guest's system calls are slow.
        while !listed && ContinuousClock.now - relist < .seconds(90) {
            #expect(try lab.ipvsadm("-Sn") == settled, "IPVS changed during the re-list\(context())")
            listed = try server.requests().contains { $0.path == "/api/v1/services" && $0.query["watch"] == nil }
            try await Task.sleep(for: .milliseconds(100))
        }
        let seen = try server.requests()
        #expect(listed, "the 410 made the agent LIST again: \(seen)\(context())")
        // And a moment after the LIST, still nothing written.
        try await Task.sleep(for: .seconds(2))
        #expect(try lab.ipvsadm("-Sn") == settled, "IPVS changed after the re-list\(context())")

        // Delete: the virtual services and the VIP go, and the ClusterIP stops answering.
        _ = try server.delete(kind: "Service", name: "web")
        try await GuestAgent.waitUntil("web gone from IPVS", context) { try !lab.ipvsadm("-Sn").contains("10.96.0.10") }
        try await GuestAgent.waitUntil("the VIP unbound", context) { try lab.dummyAddresses().isEmpty }
        #expect(throws: (any Error).self) {
            try TCPConnection.greeting(from: lab.client, to: TrafficLab.clusterTCP, timeout: .seconds(1))
        }

        // SIGTERM stops the agent cleanly.
        guest.agent?.kill(SIGTERM)
        #expect(guest.agent?.process.terminationStatus == 0, "\(context())")
    }

    /// The real servers of TCP 10.96.0.10:80 that take new connections (weight above 0), sorted.
    static func endpoints(_ lab: TrafficLab) throws -> [String] {
        try lab.realServers(of: "TCP  10.96.0.10:80").map { $0.split(separator: " ").map(String.init) }
            .filter { $0.count >= 3 && $0[2] != "0" }.map { $0[0] }.sorted()
    }
}
