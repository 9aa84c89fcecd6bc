import Addresses
import Kubernetes
import KubernetesModel
import PodRouting

/// The pod routes this node needs: one per other node's pod CIDR, via that node's address. Pure.
public enum NodeRoutes {
    /// A node's address of one family: the InternalIP, as kube-router picks it, else the ExternalIP.
    public static func address(of node: Node, family: AddressFamily) -> IPAddress? {
        for type in ["InternalIP", "ExternalIP"] {
            for entry in node.status.addresses where entry.type == type {
                if let address = IPAddress(entry.address), address.family == family { return address }
            }
        }
        return nil
    }

    /// kube-router's deprecated single pod CIDR annotation, preferred over everything else.
    public static let podCIDRAnnotation = "kube-router.io/pod-cidr"
    /// kube-router's pod CIDRs annotation (comma-separated), preferred over `spec.podCIDRs`.
    public static let podCIDRsAnnotation = "kube-router.io/pod-cidrs"

    /// A node's pod CIDRs as kube-router reads them: `kube-router.io/pod-cidr` when it is a
    /// prefix, else `kube-router.io/pod-cidrs`, else `spec.podCIDRs`, else `spec.podCIDR` from
    /// clusters that set only that.
    public static func podCIDRs(of node: Node) -> [String] {
        let annotations = node.metadata.annotations
        if let single = annotations[podCIDRAnnotation], (try? IPPrefix(parsing: single)) != nil { return [single] }
        if let list = annotations[podCIDRsAnnotation] {
            let items = list.split(separator: ",").map { String($0.filter { !$0.isWhitespace }) }.filter { !$0.isEmpty }
            if !items.isEmpty { return items }
        }
        return node.spec.podCIDRs.isEmpty ? [node.spec.podCIDR].compactMap { $0 } : node.spec.podCIDRs
    }

    /// The routes to every other node's pod CIDRs, through the overlay's tunnel to a node that has
    /// one (`tunnels`: interface index by node address); a CIDR that cannot be routed is a problem
    /// named with its node.
    public static func routes(
        nodes: some Sequence<Node>, selfName: String, tunnels: [IPAddress: Int32] = [:]
    ) -> (routes: [PodRoute], problems: [String]) {
        var routes: [PodRoute] = []
        var problems: [String] = []
        for node in nodes where node.metadata.name != selfName {
            for text in podCIDRs(of: node) where !text.isEmpty {
                guard let prefix = try? IPPrefix(parsing: text) else {
                    problems.append("node \(node.metadata.name): podCIDR '\(text)' is not a prefix")
                    continue
                }
                guard let nextHop = address(of: node, family: prefix.family) else {
                    problems.append(
                        "node \(node.metadata.name): no \(prefix.family == .ipv4 ? "IPv4" : "IPv6") address "
                            + "to route its pod CIDR \(text) through")
                    continue
                }
                routes.append(PodRoute(prefix: prefix.network, nextHops: [nextHop], link: tunnels[nextHop]))
            }
        }
        return (routes.sorted { "\($0.prefix)" < "\($1.prefix)" }, problems)
    }
}
