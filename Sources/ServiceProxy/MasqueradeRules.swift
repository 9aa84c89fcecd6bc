import Netlink

/// Rudder's own rules in the nat table, rendered for `iptables-restore --noflush` and compared
/// with what `iptables-save -t nat` prints. Pure.
///
/// Rudder owns one chain, `RUDDER-POSTROUTING`, and the jumps to it from POSTROUTING. Every
/// other chain and rule of the table belongs to someone else and is never named in a script.
/// Rules are written exactly as `iptables-save` prints them, so that an unchanged chain reads
/// back equal and a resync writes nothing.
public enum MasqueradeRules {
    /// Rudder's chain in the nat table.
    public static let chain = "RUDDER-POSTROUTING"
    /// The comment on the jump from POSTROUTING, so a person reading the table knows whose it is.
    public static let comment = "rudder"

    /// The `hash:ip,port,ip` set of hairpin members for `family`.
    public static func loopbackSet(_ family: AddressFamily) -> String {
        family == .ipv4 ? "RUDDER-LOOPBACK" : "RUDDER-LOOPBACK-6"
    }

    /// The `hash:net` set of pod subnets for `family`.
    public static func podSubnetSet(_ family: AddressFamily) -> String {
        family == .ipv4 ? "RUDDER-POD-SUBNETS" : "RUDDER-POD-SUBNETS-6"
    }

    /// The jump from POSTROUTING to Rudder's chain, without the "-A POSTROUTING" in front.
    public static let jumpSpecification = "-m comment --comment \(comment) -j \(chain)"

    /// The rules of Rudder's chain for `family`, as `iptables-save` prints them.
    public static func chainRules(_ family: AddressFamily) -> [String] {
        [
            // Hairpin: a pod reaching itself through its Service would otherwise see its own
            // address as the source and answer itself directly.
            "-A \(chain) -m set --match-set \(loopbackSet(family)) dst,dst,src -j MASQUERADE",
            // From outside the pod network: replies must return through this node for IPVS to
            // undo its NAT, and the backend's routes need not lead here. iptables-save leaves out
            // "--ipvs" when --vdir implies it, and so must this text to read back equal.
            "-A \(chain) -m ipvs --vdir ORIGINAL --vmethod MASQ -m set ! --match-set "
                + "\(podSubnetSet(family)) src -j MASQUERADE",
        ]
    }

    /// Reads Rudder's chain and jumps out of `iptables-save -t nat` output; everything else is ignored.
    public static func observe(save text: some StringProtocol) -> Observed {
        var observed = Observed()
        var inNat = false
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.split(separator: " ").joined(separator: " ")
            if line.hasPrefix("*") {
                inNat = line == "*nat"
                continue
            }
            guard inNat else { continue }
            if line.hasPrefix(":\(chain) ") {
                observed.chainExists = true
            } else if line.hasPrefix("-A \(chain) ") {
                observed.rules.append(line)
            } else if line.hasPrefix("-A POSTROUTING "), line.hasSuffix(" -j \(chain)") {
                observed.jumps.append(String(line.dropFirst("-A POSTROUTING ".count)))
            }
        }
        return observed
    }

    /// The `iptables-restore --noflush` script that makes `observed` what `enabled` wants, or nil
    /// when it already is.
    ///
    /// Enabled: the chain holds exactly `chainRules`, and POSTROUTING has one jump to it, first,
    /// so that no earlier rule of someone else's can end the chain walk before it. Disabled: the
    /// jumps and the chain are gone.
    public static func restoreScript(for family: AddressFamily, enabled: Bool, observed: Observed) -> String? {
        var lines: [String] = []
        if enabled {
            let wanted = chainRules(family)
            let jumpsRight = observed.jumps == [jumpSpecification]
            if observed.chainExists && observed.rules == wanted && jumpsRight { return nil }
            // Declaring a chain that exists flushes it under --noflush; the -F makes that explicit.
            lines += [":\(chain) - [0:0]", "-F \(chain)"] + wanted
            if !jumpsRight {
                lines += observed.jumps.map { "-D POSTROUTING \($0)" }
                lines.append("-I POSTROUTING 1 \(jumpSpecification)")
            }
        } else {
            guard observed.chainExists || !observed.jumps.isEmpty else { return nil }
            lines += observed.jumps.map { "-D POSTROUTING \($0)" }
            if observed.chainExists { lines += ["-F \(chain)", "-X \(chain)"] }
        }
        return (["*nat"] + lines + ["COMMIT", ""]).joined(separator: "\n")
    }
}
