import Addresses
import Netfilter
import Netlink
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Applies a `MasqueradeState` to one network namespace: Rudder's ipsets, its nat chains and its
/// filter chain.
///
/// It reads before it writes: a set is replaced only when its members differ, and the rules are
/// restored only when `iptables-save` shows Rudder's chain or jump differ from the rendered
/// ones, so a sync of an unchanged state writes nothing. A part that is not wanted and whose
/// sets do not exist is not looked at: sets are made before their rules and destroyed after
/// them, so without the sets there are no rules to remove, and no process is started for it. Only sets named `RUDDER-*` (the
/// `IPSetClient` refuses others) and Rudder's own chain and jump are ever changed; restores use
/// `--noflush`, so every other rule stays as it is.
///
/// `sync` blocks on netlink and on child processes: call `apply` from async code, which runs it
/// on the controller's own executor.
public final class NetfilterController: Sendable {
    /// The namespace whose sets and rules this controller changes.
    public let namespace: NetworkNamespace
    /// The address families it manages.
    public let families: [AddressFamily]
    /// Which iptables to run: "legacy", "nft", or nil for the system's default (`iptables`).
    public var iptablesVariant: String? { iptables.variant }
    private let iptables: IPTables
    private let ipsets: IPSetClient
    private let writes = Atomic<Int>(0)
    private let executor = NetlinkExecutor(label: "rudder.serviceproxy.netfilter")

    /// A controller for `namespace`; it fails when the kernel has no ipset support.
    ///
    /// The iptables variant must be the one the node's other rules use, since the two keep
    /// separate tables: Debian 12's default is nft; User-Mode Linux guests have only legacy.
    public init(
        namespace: NetworkNamespace = .current, families: [AddressFamily] = AddressFamily.allCases,
        iptablesVariant: String? = nil
    ) throws {
        self.namespace = namespace
        self.families = families
        iptables = IPTables(namespace: namespace, variant: iptablesVariant)
        ipsets = try IPSetClient(namespace: namespace)
    }

    /// The kernel modules the rules and sets need, for kernels that do not load them on demand
    /// (User-Mode Linux guests): conntrack and NAT, the set, mark and comment matches, the
    /// MASQUERADE target and the three set types.
    public static let kernelModules = [
        "nf_conntrack", "nf_nat", "iptable_nat", "ip6table_nat", "xt_set", "xt_mark", "xt_comment", "xt_MASQUERADE",
        "ip_set", "ip_set_hash_net", "ip_set_hash_ipport", "ip_set_hash_ipportip", "ip_set_hash_ipportnet",
        "iptable_filter", "ip6table_filter",
    ]

    /// How many writes (set replacements, rule restores) this controller has sent so far.
    public var writesSent: Int { writes.load(ordering: .relaxed) }

    /// The state that `services` need on this node; the same as `MasqueradeState(services:...)`.
    public static func state(
        for services: [ProxiedService], settings: ProxySettings, podSubnets: Set<IPPrefix>, enabled: Bool = true
    ) -> MasqueradeState {
        MasqueradeState(services: services, settings: settings, podSubnets: podSubnets, enabled: enabled)
    }

    /// `sync`, on the controller's own thread.
    @discardableResult
    public func apply(_ state: MasqueradeState) async throws -> Int {
        try await executor.run { [self] in try sync(state) }
    }

    /// Makes the kernel match `state` and returns how many writes that took; 0 when it already did.
    ///
    /// Sets come before the rules that name them, and go after: a rule cannot name a missing set.
    @discardableResult
    public func sync(_ state: MasqueradeState) throws -> Int {
        var count = state.enabled ? try enableIPVSConntrack() : 0
        let existing = Set(try ipsets.names())
        for family in families {
            let firewall = !state.firewall.isEmpty
            for (table, enabled, sets) in [
                (MasqueradeRules.nat, state.enabled, Self.masqueradeSets),
                (MasqueradeRules.filter, firewall, Self.firewallSets),
            ] {
                if enabled {
                    count += try syncSets(state, sets, family, existing: existing)
                    count += try syncRules(table, family, enabled: true)
                } else if sets.contains(where: { existing.contains($0.name(family)) }) {
                    count += try syncRules(table, family, enabled: false)
                    count += try removeSets(sets, family, existing: existing)
                }
            }
        }
        return count
    }

    /// The names of Rudder's sets in the namespace (`RUDDER-*`), sorted.
    public func ownedSets() throws -> [String] {
        try ipsets.names().filter(ipsets.isOwned).sorted()
    }

    /// Removes Rudder's chains and jumps and then every `RUDDER-*` set, temporary ones a crash
    /// left included (`rudder cleanup`); returns how many writes that took.
    @discardableResult
    public func removeAll() throws -> Int {
        var count = try sync(MasqueradeState(enabled: false))
        for name in try ownedSets() {
            writes.add(1, ordering: .relaxed)
            count += 1
            try ipsets.destroy(name: name)
        }
        return count
    }

    /// The sets of the masquerade rules.
    static let masqueradeSets: [NetfilterSet] = [.podSubnets, .loopback, .services]
    /// The sets of the firewall rules.
    static let firewallSets: [NetfilterSet] = [.firewall, .allowedSources]

    /// Sets `net.ipv4.vs.conntrack` to 1 unless it is; returns 1 for a write, else 0.
    ///
    /// Without it IPVS leaves its packets untracked and the nat table never sees them, so no
    /// MASQUERADE rule could match. Without IPVS loaded there is nothing to masquerade yet.
    private func enableIPVSConntrack() throws -> Int {
        let path = "/proc/sys/net/ipv4/vs/conntrack"
        // /proc/sys/net shows the namespace of the thread that opens the file.
        let wrote = try namespace.run { () throws -> Bool in
            let descriptor = open(path, O_RDWR | O_CLOEXEC)
            guard descriptor >= 0 else {
                if errno == ENOENT { return false }
                throw NetfilterError(command: ["open", path], status: nil, message: String(cString: strerror(errno)))
            }
            defer { close(descriptor) }
            var current: UInt8 = 0
            if read(descriptor, &current, 1) == 1, current == UInt8(ascii: "1") { return false }
            var one = UInt8(ascii: "1")
            guard pwrite(descriptor, &one, 1, 0) == 1 else {
                throw NetfilterError(command: ["write", path], status: nil, message: String(cString: strerror(errno)))
            }
            return true
        }
        if wrote { writes.add(1, ordering: .relaxed) }
        return wrote ? 1 : 0
    }

    /// `update`, on the controller's own thread.
    @discardableResult
    public func applyChange(adding: Set<NetfilterMember>, removing: Set<NetfilterMember>) async throws -> Int {
        try await executor.run { [self] in try update(adding: adding, removing: removing) }
    }

    /// Adds and deletes single members of the sets that `sync` made.
    ///
    /// This is the path of one Service's change: it neither reads the sets nor runs
    /// `iptables-save`, so its cost does not grow with the number of Services. Deletions go
    /// first, except that allowed sources are added before anything else and deleted last, so a
    /// change never drops a connection that both the old and the new state allow.
    @discardableResult
    public func update(adding: Set<NetfilterMember>, removing: Set<NetfilterMember>) throws -> Int {
        var count = 0
        let order = { (lhs: NetfilterMember, rhs: NetfilterMember) in
            (lhs.set, lhs.member.description) < (rhs.set, rhs.member.description)
        }
        let sources = { (entry: NetfilterMember) in entry.set == .allowedSources }
        func add(_ entries: [NetfilterMember]) throws {
            for entry in entries where families.contains(entry.member.family) {
                try ipsets.add(entry.member, to: entry.set.name(entry.member.family))
                count += 1
            }
        }
        func delete(_ entries: [NetfilterMember]) throws {
            for entry in entries where families.contains(entry.member.family) {
                try ipsets.delete(entry.member, from: entry.set.name(entry.member.family))
                count += 1
            }
        }
        try add(adding.filter(sources).sorted(by: order))
        try delete(removing.filter { !sources($0) }.sorted(by: order))
        try add(adding.filter { !sources($0) }.sorted(by: order))
        try delete(removing.filter(sources).sorted(by: order))
        writes.add(count, ordering: .relaxed)
        return count
    }

    /// Replaces each of the family's `sets` whose members differ from `state`.
    ///
    /// Firewall members of a frozen Service's virtual services are kept as the kernel has them.
    private func syncSets(
        _ state: MasqueradeState, _ sets: [NetfilterSet], _ family: AddressFamily, existing: Set<String>
    ) throws -> Int {
        var count = 0
        for set in sets {
            let name = set.name(family)
            var members = state.members(of: set, family)
            // A set of another type or family reads as an error, and gets replaced.
            let current = existing.contains(name) ? try? Set(ipsets.members(of: name)) : nil
            if set.isFirewall, let current, !state.frozenServices.isEmpty {
                members.formUnion(current.filter { Self.service(of: $0).map(state.frozenServices.contains) ?? false })
            }
            if current == members { continue }
            writes.add(1, ordering: .relaxed)
            count += 1
            try ipsets.replaceMembers(of: name, with: members, type: set.type, family: family)
        }
        return count
    }

    /// The `VIP,PROTO:PORT` a firewall member is about.
    private static func service(of member: IPSetMember) -> IPSetMember? {
        switch member {
        case .ipPort: member
        case .ipPortNet(let address, let proto, let port, _): .ipPort(address, protocol: proto, port: port)
        case .ip, .net, .ipPortIP: nil
        }
    }

    /// Destroys the family's `sets` that exist; the rules naming them must be gone.
    private func removeSets(_ sets: [NetfilterSet], _ family: AddressFamily, existing: Set<String>) throws -> Int {
        var count = 0
        for set in sets where existing.contains(set.name(family)) {
            writes.add(1, ordering: .relaxed)
            count += 1
            try ipsets.destroy(name: set.name(family))
        }
        return count
    }
}

extension NetfilterController {
    /// Restores Rudder's chains and jumps of `table` for `family` when `iptables-save` shows they differ.
    fileprivate func syncRules(_ table: RuleTable, _ family: AddressFamily, enabled: Bool) throws -> Int {
        let count = try iptables.sync(table, family, enabled: enabled)
        writes.add(count, ordering: .relaxed)
        return count
    }
}
