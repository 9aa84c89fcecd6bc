import Addresses
import Foundation
import KubernetesModel
import PodNetwork
import RudderLab
import Testing

@testable import Agent

/// The Nodes into this node's pod network: pod CIDRs as kube-router reads them, the MTU, the tunnels.
@Suite struct NodePodNetworkTests {
    func node(
        _ name: String, podCIDR: String?, ip: String, podCIDRs: [String]? = nil, annotations: [String: String] = [:]
    ) throws -> Node {
        try JSONDecoder().decode(
            Node.self,
            from: Data(
                TestAPIServer.nodeJSON(
                    name: name, podCIDR: podCIDR, internalIP: ip, podCIDRs: podCIDRs, annotations: annotations
                ).utf8))
    }

    static let underlay = (mtu: UInt32(1500), subnet: IPPrefix(address: IPAddress("192.168.1.0")!, length: 24))

    @Test func ownCIDRsOnePerFamilyEveryNodesCIDRsAndTheLinksMTU() throws {
        let nodes = [
            try node(
                "a", podCIDR: "10.244.0.0/24", ip: "192.168.1.10", podCIDRs: ["10.244.0.0/24", "fd00:0:0:1::/64"]),
            try node("b", podCIDR: "10.244.1.0/24", ip: "192.168.1.11"),
        ]
        let outcome = NodePodNetwork.outcome(
            nodes: nodes, selfName: "a", settings: PodNetworkSettings(), underlay: Self.underlay)
        let state = try #require(outcome.state)
        #expect(state.podCIDRs.map(\.description) == ["10.244.0.0/24", "fd00:0:0:1::/64"])
        #expect(state.clusterPodCIDRs.map(\.description) == ["10.244.0.0/24", "10.244.1.0/24", "fd00:0:0:1::/64"])
        #expect(state.mtu == 1500)
        #expect(state.tunnels.isEmpty)
        #expect(outcome.problems.isEmpty && outcome.waiting == nil)
    }

    @Test func kubeRoutersAnnotationsComeBeforeTheSpec() throws {
        let single = try node(
            "a", podCIDR: "10.244.0.0/24", ip: "192.168.1.10",
            annotations: ["kube-router.io/pod-cidr": "10.50.0.0/24", "kube-router.io/pod-cidrs": "10.60.0.0/24"])
        let list = try node(
            "b", podCIDR: "10.244.1.0/24", ip: "192.168.1.11",
            annotations: ["kube-router.io/pod-cidrs": "10.61.0.0/24, fd00:61::/64"])
        // A bad single annotation falls back to the list, as kube-router does.
        let badSingle = try node(
            "c", podCIDR: "10.244.2.0/24", ip: "192.168.1.12", annotations: ["kube-router.io/pod-cidr": "nonsense"])
        #expect(NodeRoutes.podCIDRs(of: single) == ["10.50.0.0/24"])
        #expect(NodeRoutes.podCIDRs(of: list) == ["10.61.0.0/24", "fd00:61::/64"])
        #expect(NodeRoutes.podCIDRs(of: badSingle) == ["10.244.2.0/24"])
    }

    @Test func aNodeWithoutAPodCIDRWaitsAndSaysWhy() throws {
        let nodes = [try node("a", podCIDR: nil, ip: "192.168.1.10")]
        let outcome = NodePodNetwork.outcome(
            nodes: nodes, selfName: "a", settings: PodNetworkSettings(), underlay: Self.underlay)
        #expect(outcome.state == nil)
        #expect(outcome.waiting?.contains("node a has no pod CIDR yet") == true, "\(outcome)")
        let missing = NodePodNetwork.outcome(
            nodes: nodes, selfName: "z", settings: PodNetworkSettings(), underlay: Self.underlay)
        #expect(missing.waiting == "node z is not in the API server yet")
    }

    @Test func overlappingAndMalformedCIDRsAreNamedWithTheirNodes() throws {
        let nodes = [
            try node("a", podCIDR: "10.244.0.0/24", ip: "192.168.1.10"),
            try node("b", podCIDR: "10.244.0.0/16", ip: "192.168.1.11"),
            try node("c", podCIDR: "10.244.x/24", ip: "192.168.1.12"),
        ]
        let outcome = NodePodNetwork.outcome(
            nodes: nodes, selfName: "a", settings: PodNetworkSettings(), underlay: Self.underlay)
        #expect(outcome.state?.podCIDRs.map(\.description) == ["10.244.0.0/24"])
        #expect(
            outcome.problems == [
                "node b: pod CIDR 10.244.0.0/16 overlaps 10.244.0.0/24 of node a",
                "node c: pod CIDR '10.244.x/24' is not a prefix",
            ])
    }

    @Test func theSubnetOverlayTunnelsOnlyToOtherSubnetsAndLowersTheMTU() throws {
        let nodes = [
            try node("a", podCIDR: "10.244.0.0/24", ip: "192.168.1.10"),
            try node("b", podCIDR: "10.244.1.0/24", ip: "192.168.1.11"),
            try node("c", podCIDR: "10.244.2.0/24", ip: "192.168.2.12"),
        ]
        var settings = PodNetworkSettings()
        settings.overlay = .subnet
        let state = try #require(
            NodePodNetwork.outcome(nodes: nodes, selfName: "a", settings: settings, underlay: Self.underlay).state)
        #expect(state.tunnels == [OverlayTunnel(local: IPAddress("192.168.1.10")!, remote: IPAddress("192.168.2.12")!)])
        #expect(state.mtu == 1480)
        settings.overlay = .full
        let full = try #require(
            NodePodNetwork.outcome(nodes: nodes, selfName: "a", settings: settings, underlay: Self.underlay).state)
        #expect(full.tunnels.map(\.remote) == [IPAddress("192.168.1.11")!, IPAddress("192.168.2.12")!])
        settings.mtu = 9000
        #expect(
            NodePodNetwork.outcome(nodes: nodes, selfName: "a", settings: settings, underlay: Self.underlay).state?.mtu
                == 9000)
    }

    @Test func routesToATunnelledNodeGoThroughItsTunnel() throws {
        let nodes = [
            try node("a", podCIDR: "10.244.0.0/24", ip: "192.168.1.10"),
            try node("c", podCIDR: "10.244.2.0/24", ip: "192.168.2.12"),
        ]
        let (routes, _) = NodeRoutes.routes(nodes: nodes, selfName: "a", tunnels: [IPAddress("192.168.2.12")!: 42])
        #expect(routes.map(\.link) == [42])
    }

    @Test func thePodNetworkSectionIsReadAndCheckedWithLines() throws {
        let configuration = try RudderConfiguration.parse(
            yaml: """
                podNetwork:
                  enabled: true
                  bridge: cbr0
                  cniNetworkName: k8s-pods
                  cniConfigDirectory: /etc/cni/net.d
                  cniConfigFile: 20-rudder.conflist
                  hairpinMode: false
                  mtu: 9000
                  egressMasquerade: false
                  nonMasqueradeCIDRs: [172.16.0.0/12]
                  overlay: subnet
                  overlayEncap: ipip
                  iptables: legacy
                """, file: "agent.yaml")
        let network = configuration.podNetwork
        #expect(network.enabled)
        #expect(
            network.settings
                == PodNetworkSettings(
                    bridgeName: "cbr0", networkName: "k8s-pods", configFileName: "20-rudder.conflist",
                    hairpinMode: false, mtu: 9000, egressMasquerade: false,
                    nonMasqueradeCIDRs: [try IPPrefix(parsing: "172.16.0.0/12")], overlay: .subnet,
                    iptablesVariant: "legacy"))
        #expect(RudderConfiguration.default.podNetwork.enabled == false)
        let fou = try RudderConfiguration.parse(
            yaml: "podNetwork:\n  overlayEncap: fou\n  overlayEncapPort: 6000\n", file: "agent.yaml")
        #expect(fou.podNetwork.settings.overlayEncapsulation == .gue(port: 6000))
        let fouDefault = try RudderConfiguration.parse(yaml: "podNetwork:\n  overlayEncap: fou\n", file: "agent.yaml")
        #expect(fouDefault.podNetwork.settings.overlayEncapsulation == .gue(port: 5555))

        for (yaml, line, message) in [
            ("podNetwork:\n  bridge: a-very-long-bridge\n", 2, "podNetwork.bridge: 'a-very-long-bridge' must have"),
            ("podNetwork:\n  cniConfigFile: rudder.json\n", 2, "must be a file name ending in .conflist"),
            ("podNetwork:\n  mtu: 500\n", 2, "podNetwork.mtu"),
            ("podNetwork:\n  overlay: sometimes\n", 2, "podNetwork.overlay"),
            ("podNetwork:\n  overlayEncap: gre\n", 2, "podNetwork.overlayEncap"),
            ("podNetwork:\n  overlayEncapPort: 0\n", 2, "podNetwork.overlayEncapPort"),
            ("podNetwork:\n  nonMasqueradeCIDRs: [10.0.0.1/8]\n", 2, "nonMasqueradeCIDRs"),
        ] {
            #expect {
                try RudderConfiguration.parse(yaml: yaml, file: "agent.yaml")
            } throws: { error in
                let text = "\(error)"
                return text.contains("agent.yaml:\(line):") && text.contains(message)
            }
        }
    }
}
