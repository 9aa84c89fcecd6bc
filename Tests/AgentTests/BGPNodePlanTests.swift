import Addresses
import Agent
import BGP
import Foundation
import Kubernetes
import KubernetesModel
import PodRouting
import RudderLab
import ServiceProxy
import Testing

/// What the node's speaker is told to do, from the Nodes and the `bgp` section.
@Suite struct BGPNodePlanTests {
    private func node(
        _ name: String, _ ip: String, podCIDR: String? = nil, annotations: [String: String] = [:]
    ) throws -> (String, Node) {
        let json = TestAPIServer.nodeJSON(name: name, podCIDR: podCIDR, internalIP: ip, annotations: annotations)
        return (name, try JSONDecoder().decode(Node.self, from: Data(json.utf8)))
    }

    @Test func meshConfiguredAndAnnotatedPeersWithTheirPolicies() throws {
        let nodes = Dictionary(
            uniqueKeysWithValues: [
                try node(
                    "node-a", "192.168.1.10", podCIDR: "10.244.0.0/24",
                    annotations: [
                        "kube-router.io/peers": "- remoteip: 192.168.1.253\n  remoteasn: 65001",
                        "kube-router.io/path-prepend.as": "64512", "kube-router.io/path-prepend.repeat-n": "2",
                        "kube-router.io/node.bgp.communities": "64512:7",
                    ]),
                try node("node-b", "192.168.1.11", podCIDR: "10.244.1.0/24"),
                // Another AS: not in this node's mesh.
                try node("node-c", "192.168.1.12", annotations: ["kube-router.io/node.asn": "64600"]),
            ])
        var settings = RudderConfiguration.BGP(enabled: true, communities: ["65000:100"])
        settings.peers = [.init(address: BGPAddress("192.168.1.254")!, remoteAS: 65000, passwordFile: "/secret")]
        let plan = try BGPNodePlan.make(configuration: settings, nodes: nodes, selfName: "node-a") { path in
            path == "/secret" ? "s3cret" : nil
        }
        #expect(plan.problems.isEmpty, "\(plan.problems)")
        #expect(plan.routerID == BGPAddress("192.168.1.10")!.ipv4Value && plan.localAS == 64512)
        #expect(Set(plan.peers.keys.map { "\($0)" }) == ["192.168.1.11", "192.168.1.253", "192.168.1.254"])
        let mesh = try #require(plan.peers[BGPAddress("192.168.1.11")!])
        #expect(mesh.configuration.remoteAS == .fixed(64512) && mesh.password == nil)
        let tor = try #require(plan.peers[BGPAddress("192.168.1.254")!])
        #expect(tor.password == BGPPassword("s3cret") && tor.configuration.localAddress == BGPAddress("192.168.1.10"))
        // RFC 8212: explicit policies. Only the node's own pod CIDR leaves, prepended twice.
        let export = try #require(tor.configuration.exportPolicy)
        let own = try #require(BGPPrefix("10.244.0.0/24"))
        if case .accepted(let attributes, _) = export.evaluate(own, PathAttributes(), localAS: 64512) {
            #expect(attributes.asPath.map { "\($0)" } == "64512 64512")
        } else {
            Issue.record("the node's pod CIDR is not exported")
        }
        if case .accepted = export.evaluate(BGPPrefix("10.244.1.0/24")!, PathAttributes(), localAS: 64512) {
            Issue.record("another node's pod CIDR is exported")
        }
        let importPolicy = try #require(tor.configuration.importPolicy)
        if case .accepted = importPolicy.evaluate(BGPPrefix("0.0.0.0/0")!, PathAttributes(), localAS: 64512) {
            Issue.record("a default route is imported without importDefaultRoute")
        }
        #expect(
            plan.originated[own]?.communities == [
                BGPCommunity(asn: 64512, value: 7), BGPCommunity(asn: 65000, value: 100),
            ])
    }

    /// kube-router's route reflection: clients peer only with their reflectors, reflectors with each
    /// other and with their clients as clients.
    /// One Node change becomes the speaker's changes by concern: a new node is one added peer and
    /// nothing else; a changed pod CIDR is one withdrawal and one announcement; a node gone is one
    /// removed peer; and nothing changed is nothing to do.
    @Test func aPlanChangeIsOnlyWhatChanged() throws {
        let settings = RudderConfiguration.BGP(enabled: true)
        func plan(_ nodes: [(String, Node)]) throws -> BGPNodePlan {
            try BGPNodePlan.make(
                configuration: settings, nodes: Dictionary(uniqueKeysWithValues: nodes), selfName: "node-a"
            ) { _ in nil }
        }
        let a = try node("node-a", "192.168.1.10", podCIDR: "10.244.0.0/24")
        let b = try node("node-b", "192.168.1.11", podCIDR: "10.244.1.0/24")
        let c = try node("node-c", "192.168.1.12", podCIDR: "10.244.2.0/24")
        let before = try plan([a, b])
        #expect(BGPNodePlan.changes(from: before, to: before).isEmpty)

        let grown = BGPNodePlan.changes(from: before, to: try plan([a, b, c]))
        #expect(grown.addedPeers.map(\.address) == [BGPAddress("192.168.1.12")!])
        #expect(grown.removedPeers.isEmpty && grown.withdrawn.isEmpty && grown.announced.isEmpty)
        #expect(!grown.identityChanged)

        let moved = try node("node-a", "192.168.1.10", podCIDR: "10.244.9.0/24")
        let renumbered = BGPNodePlan.changes(from: before, to: try plan([moved, b]))
        #expect(renumbered.withdrawn == [BGPPrefix("10.244.0.0/24")!])
        #expect(Array(renumbered.announced.keys) == [BGPPrefix("10.244.9.0/24")!])
        // The export policy names the pod CIDRs, so each peer is replaced: removed, then added.
        #expect(renumbered.removedPeers == renumbered.addedPeers.map(\.address))

        let shrunk = BGPNodePlan.changes(from: before, to: try plan([a]))
        #expect(shrunk.removedPeers == [BGPAddress("192.168.1.11")!] && shrunk.addedPeers.isEmpty)
    }

    @Test func routeReflectorAnnotations() throws {
        let nodes = Dictionary(
            uniqueKeysWithValues: [
                try node("rr-a", "192.168.1.1", annotations: ["kube-router.io/rr.server": "42"]),
                try node("rr-d", "192.168.1.4", annotations: ["kube-router.io/rr.server": "0.0.0.42"]),
                try node("client-b", "192.168.1.2", annotations: ["kube-router.io/rr.client": "42"]),
                try node("client-c", "192.168.1.3", annotations: ["kube-router.io/rr.client": "42"]),
                try node("client-other", "192.168.1.5", annotations: ["kube-router.io/rr.client": "7"]),
            ])
        let settings = RudderConfiguration.BGP(enabled: true)
        let client = try BGPNodePlan.make(configuration: settings, nodes: nodes, selfName: "client-b") { _ in nil }
        #expect(Set(client.peers.keys.map { "\($0)" }) == ["192.168.1.1", "192.168.1.4"])
        #expect(client.peers.values.allSatisfy { !$0.configuration.routeReflectorClient })
        let reflector = try BGPNodePlan.make(configuration: settings, nodes: nodes, selfName: "rr-a") { _ in nil }
        #expect(Set(reflector.peers.keys.map { "\($0)" }) == ["192.168.1.2", "192.168.1.3", "192.168.1.4"])
        let clients = reflector.peers.values.filter(\.configuration.routeReflectorClient).map { "\($0.address)" }
        #expect(Set(clients) == ["192.168.1.2", "192.168.1.3"])
        #expect(reflector.peers[BGPAddress("192.168.1.2")!]?.configuration.clusterID == 42)
    }

    @Test func anUnreadablePasswordFileLeavesOnlyThatPeerOut() throws {
        let nodes = Dictionary(uniqueKeysWithValues: [try node("node-a", "192.168.1.10")])
        var settings = RudderConfiguration.BGP(enabled: true, nodeMesh: false)
        settings.peers = [
            .init(address: BGPAddress("192.168.1.254")!, remoteAS: 65000, passwordFile: "/missing"),
            .init(address: BGPAddress("192.168.1.253")!, remoteAS: 65000),
        ]
        let plan = try BGPNodePlan.make(configuration: settings, nodes: nodes, selfName: "node-a") { _ in nil }
        #expect(plan.peers.keys.map { "\($0)" } == ["192.168.1.253"])
        #expect(plan.problems == ["bgp.peers: the password file of peer 192.168.1.254 cannot be read; peer left out"])
    }

    @Test func withoutThisNodeThereIsNoPlan() {
        #expect(throws: BGPNodePlan.Unavailable.self) {
            try BGPNodePlan.make(configuration: .init(), nodes: [:], selfName: "node-a") { _ in nil }
        }
    }

    /// Learned routes to VIPs (host routes) and a default route stay out of the kernel unless asked.
    @Test func whichLearnedRoutesReachTheKernel() throws {
        var table = AttributeTable()
        func route(_ prefix: String, from kind: BGPRouteSource.Kind = .external) -> BGPRoute {
            var attributes = PathAttributes()
            attributes.nextHop = BGPAddress("192.168.1.254")
            return BGPRoute(
                prefix: BGPPrefix(prefix)!,
                source: BGPRouteSource(
                    kind: kind, address: BGPAddress("192.168.1.254")!, identifier: 1, autonomousSystem: 65000),
                attributes: table.intern(attributes))
        }
        let settings = RudderConfiguration.BGP()
        #expect(
            BGPNodePlan.kernelRoute(for: route("10.30.0.0/24"), configuration: settings)?.description.contains(
                "10.30.0.0/24 via 192.168.1.254") == true)
        #expect(BGPNodePlan.kernelRoute(for: route("10.96.0.10/32"), configuration: settings) == nil)
        #expect(BGPNodePlan.kernelRoute(for: route("0.0.0.0/0"), configuration: settings) == nil)
        #expect(BGPNodePlan.kernelRoute(for: route("10.244.0.0/24", from: .local), configuration: settings) == nil)
        let importing = RudderConfiguration.BGP(importServiceVIPs: true, importDefaultRoute: true)
        #expect(BGPNodePlan.kernelRoute(for: route("10.96.0.10/32"), configuration: importing) != nil)
        #expect(BGPNodePlan.kernelRoute(for: route("0.0.0.0/0"), configuration: importing) != nil)
    }
}

/// The service VIPs a node advertises, and how they leave it.
@Suite struct ServiceVIPsTests {
    private let name = ServiceName(namespace: "shop", name: "web")

    private func service(_ policy: ProxiedService.TrafficPolicy, localEndpoint: Bool) -> ProxiedService {
        ProxiedService(
            name: name, clusterIPs: [IPAddress("10.96.0.10")!], externalIPs: [IPAddress("203.0.113.7")!],
            loadBalancerIPs: [IPAddress("2001:db8::7")!], externalTrafficPolicy: policy,
            endpoints: [ServiceEndpoint(address: IPAddress("10.244.0.5")!, isLocal: localEndpoint)])
    }

    @Test func eachKindOnlyWhenAskedAndLocalOnlyWithALocalEndpoint() {
        let all = ServiceVIPs(
            settings: .init(advertiseClusterIPs: true, advertiseExternalIPs: true, advertiseLoadBalancerIPs: true))
        all.record(service(.cluster, localEndpoint: false), name: name)
        #expect(all.all == Set(["10.96.0.10/32", "203.0.113.7/32", "2001:db8::7/128"].compactMap { BGPPrefix($0) }))
        all.record(service(.local, localEndpoint: false), name: name)
        #expect(all.all.isEmpty, "a Local Service without a local endpoint is withdrawn")
        all.record(service(.local, localEndpoint: true), name: name)
        #expect(all.all.count == 3)
        all.record(nil, name: name)
        #expect(all.all.isEmpty)
        let clusterOnly = ServiceVIPs(settings: .init(advertiseClusterIPs: true))
        clusterOnly.record(service(.cluster, localEndpoint: false), name: name)
        #expect(clusterOnly.all == [BGPPrefix("10.96.0.10/32")!])
    }

    /// VIPs are originated; the export policy lets host routes out without naming each (a Service
    /// coming or going must not reset sessions); learned host routes stay out of the Loc-RIB.
    @Test func vipsAreOriginatedAndExportedWithoutResettingSessions() throws {
        let json = TestAPIServer.nodeJSON(name: "node-a", podCIDR: "10.244.0.0/24", internalIP: "192.168.1.10")
        let nodes = ["node-a": try JSONDecoder().decode(Node.self, from: Data(json.utf8))]
        var settings = RudderConfiguration.BGP(enabled: true, nodeMesh: false, advertiseClusterIPs: true)
        settings.peers = [.init(address: BGPAddress("192.168.1.254")!, remoteAS: 65000)]
        let vip = try #require(BGPPrefix("10.96.0.10/32"))
        let one = try BGPNodePlan.make(configuration: settings, nodes: nodes, selfName: "node-a", vips: [vip]) { _ in
            nil
        }
        let none = try BGPNodePlan.make(configuration: settings, nodes: nodes, selfName: "node-a", vips: []) { _ in nil
        }
        #expect(one.originated[vip] != nil && none.originated[vip] == nil)
        #expect(one.peers == none.peers, "the peers (and so their sessions) do not depend on the VIPs")
        let peer = try #require(one.peers[BGPAddress("192.168.1.254")!])
        if case .rejected = try #require(peer.configuration.exportPolicy).evaluate(
            vip, PathAttributes(), localAS: 64512)
        {
            Issue.record("the VIP is not exported")
        }
        if case .accepted = try #require(peer.configuration.importPolicy).evaluate(
            BGPPrefix("10.96.0.99/32")!, PathAttributes(), localAS: 64512)
        {
            Issue.record("another node's VIP is imported without importServiceVIPs")
        }
    }
}
