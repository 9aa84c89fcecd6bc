import Addresses
import KubernetesModel
import PodNetwork

/// The pod network this node wants, from the Nodes. Pure.
enum NodePodNetwork {
    /// The translation's outcome: the state, or why there is none yet, and what was skipped.
    struct Outcome: Equatable {
        /// The state to apply, or nil while this node has no pod CIDR.
        var state: PodNetworkState?
        /// Why there is no state (this node has no pod CIDR yet).
        var waiting: String?
        /// Values skipped, each naming its node.
        var problems: [String] = []
    }

    /// The state for `selfName` among `nodes`: its own pod CIDRs, every node's, the MTU, and the
    /// overlay's tunnels. `underlay` is the link holding this node's address (its MTU and subnet).
    static func outcome(
        nodes: some Collection<Node>, selfName: String, settings: PodNetworkSettings,
        underlay: (mtu: UInt32, subnet: IPPrefix)?
    ) -> Outcome {
        var outcome = Outcome()
        var cluster: [IPPrefix] = []
        var own: [IPPrefix] = []
        var owners: [(node: String, cidr: IPPrefix)] = []
        for node in nodes.sorted(by: { $0.metadata.name < $1.metadata.name }) {
            for text in NodeRoutes.podCIDRs(of: node) where !text.isEmpty {
                guard let prefix = try? IPPrefix(parsing: text) else {
                    outcome.problems.append("node \(node.metadata.name): pod CIDR '\(text)' is not a prefix")
                    continue
                }
                owners.append((node.metadata.name, prefix.network))
                cluster.append(prefix.network)
                if node.metadata.name == selfName { own.append(prefix.network) }
            }
        }
        outcome.problems = (outcome.problems + overlaps(owners)).sorted()
        guard let me = nodes.first(where: { $0.metadata.name == selfName }) else {
            outcome.waiting = "node \(selfName) is not in the API server yet"
            return outcome
        }
        // One range per family: host-local takes a list of range sets, and the bridge one gateway each.
        var perFamily: [IPPrefix] = []
        for prefix in own where !perFamily.contains(where: { $0.family == prefix.family }) { perFamily.append(prefix) }
        guard !perFamily.isEmpty else {
            outcome.waiting = "node \(selfName) has no pod CIDR yet (spec.podCIDRs, or kube-router.io/pod-cidrs)"
            return outcome
        }
        var tunnels: [OverlayTunnel] = []
        let localAddress = NodeRoutes.address(of: me, family: .ipv4)
        if settings.overlay != .off, let localAddress, let underlay {
            for node in nodes where node.metadata.name != selfName {
                guard let remote = NodeRoutes.address(of: node, family: .ipv4) else { continue }
                if OverlayTunnel.wanted(mode: settings.overlay, local: underlay.subnet, remote: remote) {
                    tunnels.append(
                        OverlayTunnel(
                            local: localAddress, remote: remote, encapsulation: settings.overlayEncapsulation))
                }
            }
        }
        let overhead = settings.overlay == .off ? 0 : settings.overlayEncapsulation.overhead
        let mtu = settings.mtu ?? ((underlay?.mtu ?? 1500) - overhead)
        outcome.state = PodNetworkState(
            podCIDRs: perFamily, clusterPodCIDRs: Array(Set(cluster)).sorted(), mtu: mtu,
            tunnels: tunnels.sorted { $0.remote < $1.remote })
        return outcome
    }

    /// Pod CIDRs of different nodes that overlap, each named with the later node by name.
    ///
    /// Prefixes are nested or disjoint, so in address order a prefix overlaps an earlier one only
    /// if the widest one still open contains it: one pass after a sort, not every pair (a Node
    /// event at 1,000 nodes would otherwise compare a million).
    static func overlaps(_ owners: [(node: String, cidr: IPPrefix)]) -> [String] {
        var problems: [String] = []
        var open: (node: String, cidr: IPPrefix)?
        for owner in owners.sorted(by: { $0.cidr < $1.cidr }) {
            guard let current = open, current.cidr.contains(owner.cidr.address) else {
                open = owner
                continue
            }
            guard current.node != owner.node else { continue }
            let (later, earlier) = current.node < owner.node ? (owner, current) : (current, owner)
            problems.append(
                "node \(later.node): pod CIDR \(later.cidr) overlaps \(earlier.cidr) of node \(earlier.node)")
        }
        return problems
    }
}
