import Addresses
import Netfilter
import Netlink
import Synchronization

/// Keeps the egress masquerade's sets and chain in one namespace, writing only what differs.
///
/// The set is filled before the chain names it and destroyed after the chain is gone. Calls block
/// on libipset and on iptables' tools: use `apply`, which runs them on the controller's thread.
public final class EgressController: Sendable {
    private let ipsets: IPSetClient
    private let iptables: IPTables
    private let families: [AddressFamily]
    private let writes = Atomic<Int>(0)
    private let executor = NetlinkExecutor(label: "rudder.podnetwork.egress")

    /// A controller for `namespace`; it fails when the kernel has no ipset support.
    public init(
        namespace: NetworkNamespace = .current, families: [AddressFamily] = AddressFamily.allCases,
        iptablesVariant: String? = nil
    ) throws {
        ipsets = try IPSetClient(namespace: namespace)
        iptables = IPTables(namespace: namespace, variant: iptablesVariant)
        self.families = families
    }

    /// How many set replacements and rule restores this controller has sent.
    public var writesSent: Int { writes.load(ordering: .relaxed) }

    /// `sync`, on the controller's own thread.
    @discardableResult
    public func apply(_ state: PodNetworkState, settings: PodNetworkSettings, enabled: Bool) async throws -> Int {
        try await executor.run { [self] in try sync(state, settings: settings, enabled: enabled) }
    }

    /// Makes the kernel's egress sets and rules match `state`; returns the writes it took, 0 when they did.
    @discardableResult
    public func sync(_ state: PodNetworkState, settings: PodNetworkSettings, enabled: Bool) throws -> Int {
        let table = EgressRules.table(podCIDRs: state.podCIDRs)
        let existing = Set(try ipsets.names())
        var count = 0
        for family in families {
            let name = EgressRules.exemptSet(family)
            if enabled {
                let members = EgressRules.exempt(
                    clusterPodCIDRs: state.clusterPodCIDRs, nonMasquerade: settings.nonMasqueradeCIDRs, family: family)
                let current = existing.contains(name) ? try? Set(ipsets.members(of: name)) : nil
                if current != members {
                    try ipsets.replaceMembers(of: name, with: members, type: .hashNet, family: family)
                    count += 1
                }
                count += try iptables.sync(table, family, enabled: true)
            } else if existing.contains(name) {
                count += try iptables.sync(table, family, enabled: false)
                try ipsets.destroy(name: name)
                count += 1
            }
        }
        writes.add(count, ordering: .relaxed)
        return count
    }
}
