import Addresses
import Agent
import Foundation
import IPVS
import Kubernetes
import KubernetesModel
import Logging
import Netlink
import PodRouting
import RudderLab
import ServiceLifecycle
import ServiceProxy
import Testing

/// The agent following the test API server over TLS, with in-memory kernels: what it does with
/// Services, EndpointSlices and Nodes, and how it rides out a lost API server, a 410, a rotated
/// token and bad objects. The same agent against a real kernel runs in `AgentKernelTests`.
@Suite(.serialized) struct AgentAPIServerTests {
    @Test func servicesEndpointsAndNodesReachTheKernels() async throws {
        try await AgentLab.with { lab in
            try await lab.waitUntil("web and api are programmed") {
                lab.realServers("10.96.0.10", 80) == ["10.244.1.5:8080"]
                    && lab.realServers("10.96.0.11", 443) == ["10.244.2.7:8443"]
            }
            #expect(lab.agent.health.isReady)
            // The other node's pod CIDR, on its connected subnet: direct.
            #expect(lab.routes.snapshot.map { "\($0.destination)" } == ["10.244.2.0/24"])
            #expect(try await lab.services.boundVIPs() == [IPAddress("10.96.0.10")!, IPAddress("10.96.0.11")!])

            // Scaling one Service touches only it: one real server added, nothing else written.
            let writes = lab.services.ipvsWritesSent
            try lab.server.put(
                TestAPIServer.endpointSliceJSON(
                    name: "web-1", service: "web", addresses: ["10.244.1.5", "10.244.2.9"], port: 8080))
            try await lab.waitUntil("web has two endpoints") {
                lab.realServers("10.96.0.10", 80) == ["10.244.1.5:8080", "10.244.2.9:8080"]
            }
            #expect(lab.services.ipvsWritesSent == writes + 1)

            // A new Service, then a deleted one.
            try lab.server.put(TestAPIServer.serviceJSON(name: "new", clusterIP: "10.96.0.12"))
            try lab.server.put(
                TestAPIServer.endpointSliceJSON(name: "new-1", service: "new", addresses: ["10.244.1.8"], port: 8080))
            try await lab.waitUntil("new is programmed") { lab.realServers("10.96.0.12", 80) == ["10.244.1.8:8080"] }
            _ = try lab.server.delete(kind: "Service", name: "api")
            try await lab.waitUntil("api is gone") { lab.services.snapshot.keys.count == 2 }
            // Its VIP goes in the same update, just after its virtual services: wait for it too.
            let remaining: Set = [IPAddress("10.96.0.10")!, IPAddress("10.96.0.12")!]
            try await lab.waitUntil("api's VIP unbound") { lab.services.vips == remaining }

            // A new node brings its route.
            try lab.server.put(
                TestAPIServer.nodeJSON(name: "node-c", podCIDR: "10.244.3.0/24", internalIP: "192.168.1.12"))
            try await lab.waitUntil("node-c's route") { lab.routes.snapshot.count == 2 }
        }
    }

    @Test func healthEndpointsOverHTTP() async throws {
        try await AgentLab.with { lab in
            try await lab.waitUntil("ready") { lab.agent.health.isReady }
            let port = try #require(lab.http.boundPort)
            let ready = try Shell.run("curl", ["-s", "-w", "\n%{http_code}", "http://127.0.0.1:\(port)/readyz"])
            #expect(ready.stdout.hasSuffix("readyz check passed\n\n200"), "\(ready.stdout)")
            let live = try Shell.run(
                "curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/healthz"])
            #expect(live.stdout == "200")
            let missing = try Shell.run(
                "curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/nope"])
            #expect(missing.stdout == "404")
        }
    }

    /// The API server dies: the dataplane stays, liveness stays healthy, and after the restart the
    /// agent resumes its watches from where it was, with no new LIST, and follows changes again.
    @Test func aLostAPIServerChangesNothingAndTheAgentResumes() async throws {
        try await AgentLab.with { lab in
            try await lab.waitUntil("ready") { lab.agent.health.isReady && lab.services.snapshot.count == 2 }
            try await lab.waitUntil("watches open") { (try? lab.server.watchers()) ?? 0 >= 3 }
            let before = lab.services.snapshot
            let writes = lab.services.ipvsWritesSent
            lab.server.kill()
            for _ in 0..<15 {
                try await Task.sleep(for: .milliseconds(200))
                #expect(lab.services.snapshot == before)
                #expect(lab.agent.health.isAlive)
            }
            try lab.server.restart()
            try lab.server.clearRequests()
            try lab.server.put(
                TestAPIServer.endpointSliceJSON(name: "web-1", service: "web", addresses: ["10.244.1.6"], port: 8080))
            try await lab.waitUntil("the change after the restart arrives", timeout: .seconds(60)) {
                lab.realServers("10.96.0.10", 80).contains("10.244.1.6:8080")
            }
            let requests = try lab.server.requests()
            #expect(!requests.isEmpty)
            #expect(requests.allSatisfy { $0.query["watch"] == "true" }, "no LIST after a restart: \(requests)")
            #expect(requests.allSatisfy { $0.query["resourceVersion"] != nil })
            // The endpoint change drains the old one (weight 0) and adds the new: two writes, nothing else.
            #expect(lab.services.ipvsWritesSent == writes + 2)
        }
    }

    /// A 410 on every watch (history compacted, streams dropped) makes the informers LIST again.
    /// What changed meanwhile is applied; nothing that did not change is written, nothing is deleted.
    @Test func aForced410RelistsWithoutSpuriousDeletes() async throws {
        try await AgentLab.with { lab in
            try await lab.waitUntil("ready") { lab.agent.health.isReady && lab.services.snapshot.count == 2 }
            try await lab.waitUntil("watches open") { (try? lab.server.watchers()) ?? 0 >= 3 }
            // Each watch delivers a bookmark (every 0.5 s) and so proves healthy: broken below, it
            // comes back after the shortest backoff.
            try await Task.sleep(for: .seconds(1))
            let writes = lab.services.ipvsWritesSent
            try lab.server.clearRequests()
            // At once: a bookmark sent between the two would carry the new resourceVersion and
            // rightly spare the agent its 410.
            try lab.server.compactAndDropWatches()
            try await lab.waitUntil("a new LIST of services") {
                ((try? lab.server.requests()) ?? []).contains {
                    $0.path == "/api/v1/services" && $0.query["watch"] == nil && $0.status == 200
                }
            }
            try await lab.waitUntil("watches open again") { (try? lab.server.watchers()) ?? 0 >= 3 }
            try await Task.sleep(for: .seconds(1))
            #expect(lab.services.ipvsWritesSent == writes, "a re-list of unchanged objects writes nothing")
            #expect(lab.services.snapshot.count == 2)
        }
    }

    @Test func aRotatedTokenIsUsedByTheNextRequest() async throws {
        try await AgentLab.with { lab in
            try await lab.waitUntil("ready") { lab.agent.health.isReady }
            try lab.server.setTokens(["rotated-token-2"])
            try lab.server.clearRequests()
            try lab.server.dropWatches()
            try lab.server.put(TestAPIServer.serviceJSON(name: "after", clusterIP: "10.96.0.13"))
            try lab.server.put(
                TestAPIServer.endpointSliceJSON(name: "after-1", service: "after", addresses: ["10.244.1.9"], port: 80))
            try await lab.waitUntil("the Service made after the rotation") {
                lab.realServers("10.96.0.13", 80) == ["10.244.1.9:80"]
            }
            let requests = try lab.server.requests()
            #expect(requests.allSatisfy { $0.user == "token:rotate" && $0.status == 200 }, "\(requests)")
        }
    }

    /// A Service with wrong types and an EndpointSlice with an unknown address type are rejected
    /// one by one; everything else is applied and the agent is ready.
    @Test func badObjectsAreRejectedOneByOne() async throws {
        let badService = """
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"bad","namespace":"default"},
             "spec":{"clusterIP":"10.96.0.50","clusterIPs":["10.96.0.50"],"ports":[{"port":"eighty","protocol":"TCP"}],
             "type":"ClusterIP"}}
            """
        let badSlice = TestAPIServer.endpointSliceJSON(
            name: "web-2", service: "web", addresses: ["10.244.9.9"], port: 8080
        ).replacingOccurrences(of: "\"addressType\":\"IPv4\"", with: "\"addressType\":\"IPv5\"")
        let badIP = TestAPIServer.serviceJSON(name: "badip", clusterIP: "10.96.0.300")
        try await AgentLab.with(extra: [badService, badSlice, badIP]) { lab in
            try await lab.waitUntil("ready") { lab.agent.health.isReady }
            try await lab.waitUntil("web and api") { lab.services.snapshot.count == 2 }
            #expect(lab.realServers("10.96.0.10", 80) == ["10.244.1.5:8080"])
            #expect(lab.realServers("10.96.0.50", 80).isEmpty)
            let log = lab.log.text
            #expect(log.contains("default/bad") && log.contains("spec.ports[0].port"), "\(log)")
            #expect(log.contains("web-2") && log.contains("IPv5"), "\(log)")
            #expect(log.contains("spec.clusterIPs[0]: '10.96.0.300' is not an IP address"), "\(log)")
        }
    }

    /// An endpoint address of the wrong family and slices whose Service does not exist are logged
    /// once and counted once, however often their Services change; the rest is proxied.
    @Test func skippedInputIsLoggedOnceAndCounted() async throws {
        let mixed = TestAPIServer.endpointSliceJSON(
            name: "web-3", service: "web", addresses: ["10.244.1.6", "fd00::9"], port: 8080)
        let orphan = TestAPIServer.endpointSliceJSON(
            name: "ghost-1", service: "ghost", addresses: ["10.244.1.7"], port: 8080)
        try await AgentLab.with(extra: [mixed, orphan]) { lab in
            try await lab.waitUntil("web has its two good endpoints") {
                lab.realServers("10.96.0.10", 80) == ["10.244.1.5:8080", "10.244.1.6:8080"]
            }
            // Two more changes to web: its skipped address is not logged or counted again.
            for port in [8081, 8082] {
                try lab.server.put(
                    TestAPIServer.endpointSliceJSON(
                        name: "web-1", service: "web", addresses: ["10.244.1.5"], port: port))
                try await lab.waitUntil("web-1 on \(port)") {
                    lab.realServers("10.96.0.10", 80).contains("10.244.1.5:\(port)")
                }
            }
            let log = lab.log.text
            let skippedLine = "EndpointSlice web-3: endpoint address 'fd00::9' is not an IPv4 address; skipped"
            #expect(log.components(separatedBy: skippedLine).count == 2, "logged once\n\(log)")
            #expect(
                log.components(separatedBy: "EndpointSlices name a Service that does not exist").count == 2
                    && log.contains("default/ghost"), "\(log)")
            let port = try #require(lab.http.boundPort)
            let metrics = try Shell.check("curl", ["-s", "http://127.0.0.1:\(port)/metrics"])
            #expect(
                metrics.contains(#"rudder_service_inputs_skipped_total{reason="endpoint_address"} 1"#), "\(metrics)")
            #expect(metrics.contains(#"rudder_service_inputs_skipped_total{reason="orphan_slice"} 1"#), "\(metrics)")
        }
    }

    /// The pod routes' series: the route applied, a route deleted behind the agent's back put
    /// back and counted as a repair, and no conflict; and an informer's progress moving with the
    /// API server's bookmarks alone.
    @Test func podRouteOperationsRepairsAndConflictsAreCounted() async throws {
        try await AgentLab.with { lab in
            try await lab.waitUntil("node-b's route is in") { lab.routes.snapshot.count == 1 }
            let route = try #require(lab.routes.snapshot.first)
            let port = try #require(lab.http.boundPort)
            let scrape = { try Shell.check("curl", ["-s", "http://127.0.0.1:\(port)/metrics"]) }
            try await lab.waitUntil("the route is counted") {
                try scrape().contains("rudder_pod_route_operations_total 1\n")
            }
            #expect(try scrape().contains("rudder_pod_route_conflicts 0"))
            lab.routes.externally(delete: route.key)
            try await lab.waitUntil("the route is put back") { lab.routes.snapshot.count == 1 }
            try await lab.waitUntil("the repair is counted") {
                let metrics = try scrape()
                return metrics.contains("rudder_pod_route_repairs_total 1\n")
                    && metrics.contains("rudder_pod_route_operations_total 2\n")
            }
            #expect(try scrape().contains("rudder_pod_route_operation_failures_total 0\n"))

            // With nothing changing, the API server's bookmarks still move the watches' progress.
            let progress = { () throws -> Double? in
                let line = try scrape().split(separator: "\n").first {
                    $0.hasPrefix(#"rudder_informer_last_progress_timestamp_seconds{resource="nodes"}"#)
                }
                return line.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }
            }
            let first = try #require(try progress())
            try await lab.waitUntil("a bookmark moves the nodes watch's progress") { (try progress() ?? 0) > first }
        }
    }

    @Test func aKubeconfigWithAMissingCAFileIsOneClearError() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rudder-ca-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let kubeconfig = directory + "/kubeconfig"
        try """
        apiVersion: v1
        kind: Config
        clusters:
        - name: test
          cluster:
            server: https://127.0.0.1:6443
            certificate-authority: \(directory)/missing-ca.crt
        users:
        - name: rudder
          user:
            token: abc
        contexts:
        - name: test
          context: {cluster: test, user: rudder}
        current-context: test
        """.write(toFile: kubeconfig, atomically: true, encoding: .utf8)
        var configuration = RudderConfiguration(nodeName: "node-a")
        configuration.kubernetes.kubeconfig = kubeconfig
        let agent = RudderAgent(
            configuration: configuration, environment: [:], hostname: "node-a", logger: Logger(label: "test"),
            kernels: AgentLab.memoryKernels(InMemoryServiceKernel(), InMemoryRouteKernel()))
        #expect {
            _ = try agent.controllers()
        } throws: { error in
            let text = "\(error)"
            return error is RudderAgent.StartError && text.contains("\(directory)/missing-ca.crt")
                && text.contains(kubeconfig) && !text.contains("\n")
        }
    }
}

/// A test API server with two Services and two Nodes, and an agent following it with in-memory kernels.
final class AgentLab: Sendable {
    let server: TestAPIServer
    let agent: RudderAgent
    let http: AgentHTTPServer
    let services: InMemoryServiceKernel
    let routes: InMemoryRouteKernel
    let log: LogCapture
    let directory: String

    static func memoryKernels(_ services: InMemoryServiceKernel, _ routes: InMemoryRouteKernel) -> RudderAgent.Kernels {
        RudderAgent.Kernels(services: { _ in services }, routes: { routes })
    }

    private init(extra: [String], configure: (inout RudderConfiguration) -> Void) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rudder-agent-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        server = TestAPIServer(directory: directory + "/apiserver", bookmarkInterval: 0.5)
        try server.start()
        try server.writeKubeconfig(to: directory + "/kubeconfig", user: .tokenFile)
        try server.load(
            [
                TestAPIServer.nodeJSON(name: "node-a", podCIDR: "10.244.1.0/24", internalIP: "192.168.1.10"),
                TestAPIServer.nodeJSON(name: "node-b", podCIDR: "10.244.2.0/24", internalIP: "192.168.1.11"),
                TestAPIServer.serviceJSON(name: "web", clusterIP: "10.96.0.10"),
                TestAPIServer.endpointSliceJSON(
                    name: "web-1", service: "web", addresses: ["10.244.1.5"], port: 8080, nodeName: "node-a"),
                TestAPIServer.serviceJSON(
                    name: "api", clusterIP: "10.96.0.11", ports: [.init(name: "https", port: 443, targetPort: "https")]),
                TestAPIServer.endpointSliceJSON(
                    name: "api-1", service: "api", addresses: ["10.244.2.7"], port: 8443, portName: "https",
                    nodeName: "node-b"),
            ] + extra)
        services = InMemoryServiceKernel()
        routes = InMemoryRouteKernel(addresses: [
            InterfaceAddress(linkIndex: 2, address: IPPrefix(address: IPAddress("192.168.1.10")!, length: 24))
        ])
        var configuration = RudderConfiguration(nodeName: "node-a")
        configuration.kubernetes.kubeconfig = directory + "/kubeconfig"
        configuration.serviceProxy.ownershipRecord = directory + "/ipvs-services"
        configuration.http = .init(host: "127.0.0.1", port: 0)
        configure(&configuration)
        log = LogCapture()
        agent = RudderAgent(
            configuration: configuration, environment: [:], hostname: "node-a", logger: log.logger,
            kernels: Self.memoryKernels(services, routes))
        http = try agent.httpServer()
    }

    /// Runs `body` with a started lab; the agent, the server and the files are gone afterwards, also on failure.
    /// `extra` objects join the API server's; `configure` adjusts the agent's configuration.
    static func with(
        extra: [String] = [], configure: (inout RudderConfiguration) -> Void = { _ in },
        _ body: (AgentLab) async throws -> Void
    ) async throws {
        let lab = try AgentLab(extra: extra, configure: configure)
        defer { lab.tearDown() }
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: lab.http), .init(service: try lab.agent.controllers())],
                logger: Logger(label: "test")))
        let running = Task { try await group.run() }
        defer { running.cancel() }
        do {
            try await body(lab)
        } catch {
            Issue.record("agent log:\n\(lab.log.text)")
            throw error
        }
        await group.triggerGracefulShutdown()
        _ = await running.result
    }

    func tearDown() {
        server.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The real servers of one virtual service, as "address:port", sorted.
    func realServers(_ vip: String, _ port: UInt16) -> [String] {
        let key = IPVSServiceKey.address(.tcp, IPAddress(vip)!, port: port)
        return (services.snapshot[key]?.realServers ?? []).filter { $0.server.weight > 0 }.map {
            "\($0.server.address):\($0.server.port)"
        }.sorted()
    }

    /// Waits until `condition` holds, up to `timeout`: generous, because tests share two threads.
    func waitUntil(
        _ what: String, timeout: Duration = .seconds(240), _ condition: () throws -> Bool
    ) async throws {
        try await Polling.until(what, timeout: timeout, condition)
    }
}
