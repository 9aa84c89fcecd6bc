import Addresses
import Netfilter

/// Rudder's own rules in the nat and filter tables, rendered for `iptables-restore --noflush` and
/// compared with what `iptables-save -t TABLE` prints. Pure.
///
/// Two nat chains, as kube-proxy's IPVS mode splits the work, because IPVS rewrites the
/// destination before POSTROUTING and a VIP can only be recognised on the way in:
/// - `RUDDER-SERVICES`, jumped to from PREROUTING and OUTPUT, marks connections to Rudder's own
///   virtual services from outside the pod network;
/// - `RUDDER-POSTROUTING` masquerades marked connections, and hairpin connections.
///
/// One filter chain, `RUDDER-FIREWALL`, jumped to from INPUT, drops connections to a
/// load-balancer IP and port with source ranges from any other source. The filter table's INPUT
/// hook runs before IPVS takes a packet for a local VIP (IPVS hooks LOCAL_IN after filter), so
/// a dropped packet never reaches a real server.
///
/// Each is a `RuleTable`: Rudder owns these chains and the jumps to them, nothing else.
public enum MasqueradeRules {
    /// The chain that marks connections to masquerade.
    public static let servicesChain = "RUDDER-SERVICES"
    /// The chain that masquerades.
    public static let postroutingChain = "RUDDER-POSTROUTING"
    /// The packet mark bit of a connection to masquerade. kube-proxy uses 0x4000 and 0x8000,
    /// Calico the upper 16 bits, Cilium 0x0f00: 0x2000 is clear of all of them.
    public static let markBit = "0x2000"

    /// The chain that drops load-balancer traffic from outside the source ranges.
    public static let firewallChain = "RUDDER-FIREWALL"

    /// The masquerade and hairpin rules.
    public static let nat = RuleTable(
        name: "nat",
        hooks: [("PREROUTING", servicesChain), ("OUTPUT", servicesChain), ("POSTROUTING", postroutingChain)],
        rules: chainRules)

    /// The load-balancer source-range firewall.
    public static let filter = RuleTable(name: "filter", hooks: [("INPUT", firewallChain)], rules: firewallRules)

    /// The rules of each of Rudder's chains for `family`, as `iptables-save` prints them.
    public static func chainRules(_ family: AddressFamily) -> [String: [String]] {
        [
            servicesChain: [
                // From outside the pod network to one of Rudder's virtual services: replies must
                // return through this node for IPVS to undo its NAT, and the backend's routes
                // need not lead here. From inside, the pod network's routes bring them back.
                "-A \(servicesChain) -m set --match-set \(NetfilterSet.services.name(family)) dst,dst -m set ! "
                    + "--match-set \(NetfilterSet.podSubnets.name(family)) src -j MARK --set-xmark \(markBit)/\(markBit)"
            ],
            postroutingChain: [
                // Hairpin: a pod reaching itself through its Service would otherwise see its own
                // address as the source and answer itself directly.
                "-A \(postroutingChain) -m set --match-set \(NetfilterSet.loopback.name(family)) dst,dst,src -j MASQUERADE",
                "-A \(postroutingChain) -m mark ! --mark \(markBit)/\(markBit) -j RETURN",
                // The bit is Rudder's business only: cleared before anyone else's rules see it.
                "-A \(postroutingChain) -j MARK --set-xmark 0x0/\(markBit)",
                "-A \(postroutingChain) -j MASQUERADE",
            ],
        ]
    }

    /// The firewall chain's rules for `family`, as `iptables-save` prints them.
    public static func firewallRules(_ family: AddressFamily) -> [String: [String]] {
        let firewalled = NetfilterSet.firewall.name(family)
        let allowed = NetfilterSet.allowedSources.name(family)
        return [
            firewallChain: [
                // A load-balancer IP and port with source ranges, from a source in none of them.
                "-A \(firewallChain) -m set --match-set \(firewalled) dst,dst -m set ! --match-set \(allowed) "
                    + "dst,dst,src -j DROP"
            ]
        ]
    }
}
