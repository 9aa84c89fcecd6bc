import Foundation
import GuestTesting
import Netlink
import RudderLab
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `rudder run` with BGP on, its speaker and routes in a lab node's namespace, against a real BIRD
/// ToR: the session comes up, BIRD learns the node's pod CIDR, the ToR's route lands in the node's
/// kernel, `rudder bgp` and `/metrics` show it, and after a SIGKILL BIRD keeps the node's route
/// (graceful restart) until the restarted agent refreshes it.
@Suite(.serialized) struct AgentBGPTests {
    // BIRD comes with Debian's bird2, which the test command installs: without it this fails, not skips.
    @Test func theAgentPeersWithABirdToRAndRoutesBothWays() async throws {
        try await withBGPPeerLab(nodes: 1) { lab in
            let link = lab.links[0]
            let node = lab.nodes[0]
            let bird = try await Self.startToR(in: lab)
            let scratch = try lab.makeRuntimeDirectory("agent")
            let server = try Self.apiServer(
                in: scratch,
                objects: [TestAPIServer.nodeJSON(name: "node-a", podCIDR: "10.244.1.0/24", internalIP: link.nodeIPv4)])
            defer { server.stop() }
            let port = Int.random(in: 30_000...39_999)
            let configuration = try Self.writeConfiguration(
                in: scratch, tor: link.routerIPv4, serviceProxy: ["enabled: false"], bgp: ["restartTime: 60s"])
            let arguments = ["run", "--config", configuration, "--namespace", node.name, "--http-port", "\(port)"]
            var agent = try RudderProcess(arguments: arguments, output: scratch + "/rudder.log")
            defer { agent.kill(SIGKILL) }

            do {
                try await bird.waitUntilEstablished(link.nodeIPv4)
            } catch {
                Issue.record("the agent's log:\n\(agent.errors.suffix(4000))")
                throw error
            }
            try await bird.waitForRoutes(from: link.nodeIPv4, timeout: .seconds(60), "the node's pod CIDR") { routes in
                routes.contains { $0.prefix == "10.244.1.0/24" && $0.nextHop == link.nodeIPv4 && $0.asPath == [64512] }
            }
            try await Polling.until("the ToR's route is in the node's kernel", timeout: .seconds(30)) {
                try node.ip("route", "show", "proto", "44").contains("192.168.100.0/24 via \(link.routerIPv4)")
            }
            let peers = try Shell.run(
                RudderCommandTests.rudder, ["bgp", "peers", "--socket", scratch + "/control.sock"])
            #expect(peers.succeeded && peers.stdout.contains(link.routerIPv4), "\(peers.stdout)\(peers.stderr)")
            #expect(peers.stdout.contains("Established"), "\(peers.stdout)")
            let routes = try Shell.run(
                RudderCommandTests.rudder, ["bgp", "routes", "--socket", scratch + "/control.sock"])
            #expect(
                routes.stdout.contains("192.168.100.0/24") && routes.stdout.contains("10.244.1.0/24"),
                "\(routes.stdout)")
            #expect(routes.stdout.contains("ORIGIN") && routes.stdout.contains("LOCAL PREF"), "\(routes.stdout)")
            let advertised = try Shell.run(
                RudderCommandTests.rudder,
                ["bgp", "routes", "--peer", link.routerIPv4, "--advertised", "--socket", scratch + "/control.sock"])
            #expect(advertised.stdout.contains("10.244.1.0/24") && !advertised.stdout.contains("192.168.100.0/24"))
            // The same as JSON, for scripts.
            let peersJSON = try Shell.check(
                RudderCommandTests.rudder, ["bgp", "peers", "-o", "json", "--socket", scratch + "/control.sock"])
            let peerList = try #require(
                try JSONSerialization.jsonObject(with: Data(peersJSON.utf8)) as? [[String: Any]], "\(peersJSON)")
            let tor = try #require(peerList.first { $0["address"] as? String == link.routerIPv4 }, "\(peersJSON)")
            #expect(tor["state"] as? String == "Established" && tor["remoteAS"] as? String != nil, "\(tor)")
            #expect((tor["accepted"] as? Int ?? 0) >= 1, "\(tor)")
            let routesJSON = try Shell.check(
                RudderCommandTests.rudder, ["bgp", "routes", "--output", "json", "--socket", scratch + "/control.sock"])
            let routeList = try #require(
                try JSONSerialization.jsonObject(with: Data(routesJSON.utf8)) as? [[String: Any]], "\(routesJSON)")
            let learned = try #require(routeList.first { $0["prefix"] as? String == "192.168.100.0/24" })
            #expect(learned["nextHop"] as? String == link.routerIPv4 && learned["origin"] != nil, "\(learned)")
            try await Polling.until("the session gauge is on /metrics", timeout: .seconds(15)) {
                let scrape = try Shell.run("curl", ["-s", "http://127.0.0.1:\(port)/metrics"]).stdout
                return scrape.contains("rudder_bgp_session_established{peer=\"\(link.routerIPv4)\"} 1")
            }

            // A crash: no NOTIFICATION reaches BIRD, which keeps the node's route as stale.
            agent.kill(SIGKILL)
            for _ in 0..<10 {
                let held = try bird.receivedRoutes(from: link.nodeIPv4).contains { $0.prefix == "10.244.1.0/24" }
                let table = held ? "" : (try? bird.birdc("show", "route", "all")) ?? ""
                #expect(held, "BIRD withdrew the node's route after the agent died:\n\(table)")
                try await Task.sleep(for: .milliseconds(300))
            }
            #expect(try node.ip("route", "show", "proto", "44").contains("192.168.100.0/24"), "the kernel route stays")
            agent = try RudderProcess(arguments: arguments, output: scratch + "/rudder-2.log")
            try await bird.waitUntilEstablished(link.nodeIPv4)
            try await bird.waitForRoutes(from: link.nodeIPv4, timeout: .seconds(60), "the refreshed pod CIDR") {
                routes in
                routes.contains { $0.prefix == "10.244.1.0/24" }
            }
            #expect(agent.errors.contains("restarted=true"), "the restarted agent knows it restarted")
        }
    }

    /// Service VIPs over BGP, in a User-Mode Linux guest (the service proxy needs IPVS): the agent
    /// advertises a Service's ClusterIP and external IP to a BIRD ToR; with
    /// `externalTrafficPolicy: Local` only while this node has a ready endpoint, so BIRD sees them
    /// withdrawn when the endpoint moves to another node and back when it returns. A Service with
    /// the Cluster policy stays advertised throughout.
    @Test(.userModeLinux, .inGuest(modules: ["ip_vs", "ip_vs_rr", "veth", "dummy"], timeout: .seconds(300)))
    func serviceVIPsAreAdvertisedWhileALocalServiceHasALocalEndpoint() async throws {
        try Shell.check("ip", ["link", "set", "lo", "up"])
        try await withBGPPeerLab(nodes: 1) { lab in
            let link = lab.links[0]
            let node = lab.nodes[0]
            let bird = try await BirdRouter.start(
                in: lab, namespace: lab.router,
                configuration: BGPPeerLabRouterConfiguration(
                    localAS: 65000, routerID: link.routerIPv4,
                    neighbors: [.init(address: link.nodeIPv4, remoteAS: 64512)]))
            let scratch = try lab.makeRuntimeDirectory("agent")
            let local = TestAPIServer.serviceJSON(
                name: "local", clusterIP: "10.96.0.10",
                ports: [.init(name: "http", port: 80, targetPort: "8080", nodePort: 30080)], type: "NodePort",
                externalIPs: ["192.0.2.10"], externalTrafficPolicy: "Local")
            let cluster = TestAPIServer.serviceJSON(
                name: "cluster", clusterIP: "10.96.0.20",
                ports: [.init(name: "http", port: 80, targetPort: "8080")])
            func slice(_ service: String, on nodeName: String) -> String {
                TestAPIServer.endpointSliceJSON(
                    name: service + "-1", service: service, addresses: ["10.244.2.5"], port: 8080, nodeName: nodeName)
            }
            let server = try Self.apiServer(
                in: scratch,
                objects: [
                    TestAPIServer.nodeJSON(name: "node-a", podCIDR: "10.244.1.0/24", internalIP: link.nodeIPv4),
                    TestAPIServer.nodeJSON(name: "node-b", podCIDR: "10.244.2.0/24", internalIP: "10.255.9.9"),
                    local, cluster, slice("local", on: "node-a"), slice("cluster", on: "node-b"),
                ])
            defer { server.stop() }
            let configuration = try Self.writeConfiguration(
                in: scratch, tor: link.routerIPv4, serviceProxy: ["masquerade: false"],
                bgp: ["advertiseClusterIPs: true", "advertiseExternalIPs: true"])
            let agent = try RudderProcess(
                arguments: [
                    "run", "--config", configuration, "--namespace", node.name, "--http-port",
                    "\(Int.random(in: 30_000...39_999))",
                ], output: scratch + "/rudder.log")
            defer { agent.kill(SIGKILL) }
            func advertised(_ prefixes: Set<String>, _ what: String) async throws {
                do {
                    try await bird.waitForRoutes(from: link.nodeIPv4, timeout: .seconds(90), what) { routes in
                        Set(routes.map(\.prefix)) == prefixes
                    }
                } catch {
                    Issue.record("the agent's log:\n\(agent.errors.suffix(4000))")
                    throw error
                }
            }
            let podCIDR = "10.244.1.0/24"
            try await advertised(
                [podCIDR, "10.96.0.10/32", "192.0.2.10/32", "10.96.0.20/32"], "both Services' VIPs and the pod CIDR")
            try server.put(slice("local", on: "node-b"))
            try await advertised([podCIDR, "10.96.0.20/32"], "the Local Service's VIPs withdrawn")
            try server.put(slice("local", on: "node-a"))
            try await advertised(
                [podCIDR, "10.96.0.10/32", "192.0.2.10/32", "10.96.0.20/32"], "the Local Service's VIPs back")
        }
    }

    /// A test API server in `scratch` holding `objects`, with its kubeconfig beside it; the caller stops it.
    private static func apiServer(in scratch: String, objects: [String]) throws -> TestAPIServer {
        let server = TestAPIServer(directory: scratch + "/apiserver", bookmarkInterval: 1, stateFile: false)
        try server.start()
        do {
            try server.writeKubeconfig(to: scratch + "/kubeconfig", user: .tokenFile)
            try server.load(objects)
        } catch {
            server.stop()
            throw error
        }
        return server
    }

    /// Writes the configuration of node-a, peering with the ToR at `tor` (AS 65000), with these
    /// extra lines in its `serviceProxy` and `bgp` sections; returns its path.
    /// BIRD as the ToR of the lab's first node (AS 65000, the node as AS 64512), originating
    /// 192.168.100.0/24 for the node to learn.
    static func startToR(in lab: BGPPeerLab) async throws -> BirdRouter {
        let link = lab.links[0]
        return try await BirdRouter.start(
            in: lab, namespace: lab.router,
            configuration: BGPPeerLabRouterConfiguration(
                localAS: 65000, routerID: link.routerIPv4, neighbors: [.init(address: link.nodeIPv4, remoteAS: 64512)],
                originatedRoutes: [BGPPeerLabOriginatedRoute("192.168.100.0/24")]))
    }

    private static func writeConfiguration(
        in scratch: String, tor: String, serviceProxy: [String], bgp: [String]
    ) throws -> String {
        let path = scratch + "/rudder.yaml"
        let indented = { (lines: [String]) in lines.map { "\n  " + $0 }.joined() }
        try """
        nodeName: node-a
        controlSocket: \(scratch)/control.sock
        kubernetes:
          kubeconfig: \(scratch)/kubeconfig
        serviceProxy:
          ownershipRecord: \(scratch)/ipvs-services\(indented(serviceProxy))
        metrics:
          containers: false
        bgp:
          enabled: true
          nodeMesh: false\(indented(bgp))
          peers:
            - address: \(tor)
              remoteAS: 65000
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
