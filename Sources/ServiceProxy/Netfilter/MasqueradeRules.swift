import Addresses

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
/// Rudder owns these chains and the jumps to them. Every other chain and rule of the table
/// belongs to someone else and is never named in a script. Rules are written exactly as
/// `iptables-save` prints them, so that unchanged chains read back equal and a resync writes
/// nothing.
public enum MasqueradeRules {
    /// The chain that marks connections to masquerade.
    public static let servicesChain = "RUDDER-SERVICES"
    /// The chain that masquerades.
    public static let postroutingChain = "RUDDER-POSTROUTING"
    /// The comment on each jump, so a person reading the table knows whose it is.
    public static let comment = "rudder"
    /// The packet mark bit of a connection to masquerade. kube-proxy uses 0x4000 and 0x8000,
    /// Calico the upper 16 bits, Cilium 0x0f00: 0x2000 is clear of all of them.
    public static let markBit = "0x2000"

    /// The chain that drops load-balancer traffic from outside the source ranges.
    public static let firewallChain = "RUDDER-FIREWALL"

    /// One table's worth of Rudder's rules: its chains and the built-in chains that jump to them.
    public struct Table: Sendable {
        /// The table's name for `-t`.
        public var name: String
        /// Each built-in chain and the chain of Rudder's it jumps to.
        public var hooks: [(builtin: String, chain: String)]
        /// Rudder's chains in this table, in the order they are created.
        public var chains: [String] {
            var result: [String] = []
            for (_, chain) in hooks where !result.contains(chain) { result.append(chain) }
            return result
        }
        /// The rules of each chain for a family, as `iptables-save` prints them.
        public var rules: @Sendable (AddressFamily) -> [String: [String]]
    }

    /// The masquerade and hairpin rules.
    public static let nat = Table(
        name: "nat",
        hooks: [("PREROUTING", servicesChain), ("OUTPUT", servicesChain), ("POSTROUTING", postroutingChain)],
        rules: chainRules)

    /// The load-balancer source-range firewall.
    public static let filter = Table(name: "filter", hooks: [("INPUT", firewallChain)], rules: firewallRules)

    /// A jump to `chain`, without the "-A BUILTIN" in front.
    public static func jumpSpecification(to chain: String) -> String {
        "-m comment --comment \(comment) -j \(chain)"
    }

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

    /// Reads Rudder's chains and jumps in `table` out of `iptables-save` output; everything else is ignored.
    public static func observe(save text: some StringProtocol, table: Table = nat) -> Observed {
        var observed = Observed()
        let chains = Set(table.chains)
        var inTable = false
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.split(separator: " ").joined(separator: " ")
            if line.hasPrefix("*") {
                inTable = line == "*\(table.name)"
                continue
            }
            guard inTable else { continue }
            let words = line.split(separator: " ", maxSplits: 2).map(String.init)
            guard words.count >= 2 else { continue }
            if words[0].hasPrefix(":"), chains.contains(String(words[0].dropFirst())) {
                observed.chains[String(words[0].dropFirst()), default: []] += []
            } else if words[0] == "-A", chains.contains(words[1]) {
                observed.chains[words[1], default: []].append(line)
            } else if words[0] == "-A", words.count == 3,
                chains.contains(where: { (" " + words[2]).hasSuffix(" -j \($0)") })
            {
                observed.jumps[words[1], default: []].append(words[2])
            }
        }
        return observed
    }

    /// The `iptables-restore --noflush` script that makes `observed` what `enabled` wants, or nil
    /// when it already is.
    ///
    /// Enabled: each chain holds exactly its `chainRules`, and each hooked built-in chain has
    /// one jump to it, first, so that no earlier rule of someone else's can end the walk before
    /// it. Disabled: the jumps and the chains are gone.
    public static func restoreScript(
        for family: AddressFamily, table: Table = nat, enabled: Bool, observed: Observed
    ) -> String? {
        let wanted = enabled ? Observed(chains: table.rules(family), jumps: wantedJumps(table)) : Observed()
        guard observed != wanted else { return nil }
        var lines: [String] = []
        // Chains come before the jumps that name them, and go after the jumps are deleted.
        for chain in table.chains where observed.chains[chain] != wanted.chains[chain] {
            guard let rules = wanted.chains[chain] else { continue }
            // Declaring a chain that exists flushes it under --noflush; the -F makes that explicit.
            lines += [":\(chain) - [0:0]", "-F \(chain)"] + rules
        }
        for (builtin, chain) in table.hooks {
            // A bare "-j CHAIN" has no space before it.
            let jumpsToChain = { (spec: String) in (" " + spec).hasSuffix(" -j \(chain)") }
            let have = (observed.jumps[builtin] ?? []).filter(jumpsToChain)
            let want = (wanted.jumps[builtin] ?? []).filter(jumpsToChain)
            guard have != want else { continue }
            lines += have.map { "-D \(builtin) \($0)" } + want.map { "-I \(builtin) 1 \($0)" }
        }
        for chain in table.chains where observed.chains[chain] != nil && wanted.chains[chain] == nil {
            lines += ["-F \(chain)", "-X \(chain)"]
        }
        return (["*\(table.name)"] + lines + ["COMMIT", ""]).joined(separator: "\n")
    }

    /// The jumps Rudder wants in the nat table: one per hooked built-in chain.
    public static var wantedJumps: [String: [String]] { wantedJumps(nat) }

    /// The jumps Rudder wants in `table`: one per hooked built-in chain.
    public static func wantedJumps(_ table: Table) -> [String: [String]] {
        var jumps: [String: [String]] = [:]
        for (builtin, chain) in table.hooks { jumps[builtin] = [jumpSpecification(to: chain)] }
        return jumps
    }
}
