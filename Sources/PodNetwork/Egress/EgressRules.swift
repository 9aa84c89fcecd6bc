import Addresses
import Netfilter

/// The pod egress masquerade, as kube-router's `--enable-pod-egress` does it: traffic from this
/// node's pod CIDRs to a destination outside every pod CIDR and every non-masquerade CIDR leaves
/// with the node's address. Pure.
///
/// One nat chain, `RUDDER-POD-EGRESS`, jumped to from POSTROUTING, with one rule per local pod
/// CIDR; the exempt destinations are one `hash:net` set per family, so a node joining the
/// cluster changes a set member, not a rule.
public enum EgressRules {
    /// The chain that masquerades pod egress.
    public static let chain = "RUDDER-POD-EGRESS"

    /// The set of destinations that see the pod's own address, for `family`.
    public static func exemptSet(_ family: AddressFamily) -> String {
        family == .ipv4 ? "RUDDER-EGRESS-EXEMPT" : "RUDDER-EGRESS-EXEMPT-6"
    }

    /// The nat table with the chain's rules for these local pod CIDRs.
    public static func table(podCIDRs: [IPPrefix]) -> RuleTable {
        RuleTable(name: "nat", hooks: [("POSTROUTING", chain)]) { family in
            [
                chain: podCIDRs.filter { $0.family == family }.map { cidr in
                    "-A \(chain) -s \(cidr.network) -m set ! --match-set \(exemptSet(family)) dst -j MASQUERADE"
                }
            ]
        }
    }

    /// The exempt set's members for `family`: every pod CIDR and every non-masquerade CIDR.
    public static func exempt(
        clusterPodCIDRs: [IPPrefix], nonMasquerade: [IPPrefix], family: AddressFamily
    )
        -> Set<IPSetMember>
    {
        Set((clusterPodCIDRs + nonMasquerade).filter { $0.family == family }.map { IPSetMember.net($0.network) })
    }
}
