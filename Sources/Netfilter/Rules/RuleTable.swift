import Addresses

/// One table's worth of an owner's iptables rules: its chains and the built-in chains that jump
/// to them, rendered for `iptables-restore --noflush` and compared with `iptables-save`. Pure.
///
/// The owner has these chains and the jumps to them. Every other chain and rule of the table
/// belongs to someone else and is never named in a script. Rules are written exactly as
/// `iptables-save` prints them, so that unchanged chains read back equal and a resync writes
/// nothing.
public struct RuleTable: Sendable {
    /// The table's name for `-t`.
    public var name: String
    /// Each built-in chain and the owned chain it jumps to.
    public var hooks: [(builtin: String, chain: String)]
    /// The comment on each jump, so a person reading the table knows whose it is.
    public var comment: String
    /// The rules of each owned chain for a family, as `iptables-save` prints them.
    public var rules: @Sendable (AddressFamily) -> [String: [String]]

    /// A table of owned chains; `rules` gives each chain's rules per family.
    public init(
        name: String, hooks: [(builtin: String, chain: String)], comment: String = "rudder",
        rules: @escaping @Sendable (AddressFamily) -> [String: [String]]
    ) {
        self.name = name
        self.hooks = hooks
        self.comment = comment
        self.rules = rules
    }

    /// The owned chains, in the order they are created.
    public var chains: [String] {
        var result: [String] = []
        for (_, chain) in hooks where !result.contains(chain) { result.append(chain) }
        return result
    }

    /// A jump to `chain`, without the "-A BUILTIN" in front.
    public func jumpSpecification(to chain: String) -> String {
        "-m comment --comment \(comment) -j \(chain)"
    }

    /// The jumps wanted: one per hooked built-in chain.
    public var wantedJumps: [String: [String]] {
        var jumps: [String: [String]] = [:]
        for (builtin, chain) in hooks { jumps[builtin, default: []].append(jumpSpecification(to: chain)) }
        return jumps
    }

    /// Reads the owned chains and the jumps to them out of `iptables-save` output; everything else is ignored.
    public func observe(save text: some StringProtocol) -> Observed {
        var observed = Observed()
        let chains = Set(self.chains)
        var inTable = false
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.split(separator: " ").joined(separator: " ")
            if line.hasPrefix("*") {
                inTable = line == "*\(name)"
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
    /// Enabled: each chain holds exactly its rules, and each hooked built-in chain has one jump
    /// to it, first, so that no earlier rule of someone else's can end the walk before it.
    /// Disabled: the jumps and the chains are gone.
    public func restoreScript(for family: AddressFamily, enabled: Bool, observed: Observed) -> String? {
        let wanted = enabled ? Observed(chains: rules(family), jumps: wantedJumps) : Observed()
        guard observed != wanted else { return nil }
        var lines: [String] = []
        // Chains come before the jumps that name them, and go after the jumps are deleted.
        for chain in chains where observed.chains[chain] != wanted.chains[chain] {
            guard let rules = wanted.chains[chain] else { continue }
            // Declaring a chain that exists flushes it under --noflush; the -F makes that explicit.
            lines += [":\(chain) - [0:0]", "-F \(chain)"] + rules
        }
        for (builtin, chain) in hooks {
            // A bare "-j CHAIN" has no space before it.
            let jumpsToChain = { (spec: String) in (" " + spec).hasSuffix(" -j \(chain)") }
            let have = (observed.jumps[builtin] ?? []).filter(jumpsToChain)
            let want = (wanted.jumps[builtin] ?? []).filter(jumpsToChain)
            guard have != want else { continue }
            lines += have.map { "-D \(builtin) \($0)" } + want.map { "-I \(builtin) 1 \($0)" }
        }
        for chain in chains where observed.chains[chain] != nil && wanted.chains[chain] == nil {
            lines += ["-F \(chain)", "-X \(chain)"]
        }
        return (["*\(name)"] + lines + ["COMMIT", ""]).joined(separator: "\n")
    }
}
