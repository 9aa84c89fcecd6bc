import Addresses

/// The node-level settings of the service proxy.
public struct ProxySettings: Hashable, Sendable {
    /// The node's addresses; the first of each family is the primary one.
    public var nodeAddresses: [IPAddress]
    /// Whether NodePorts listen on every node address (true) or only the primary ones.
    public var nodePortsOnAllAddresses: Bool
    /// The dummy link that holds service VIPs; kube-router's name by default.
    public var dummyInterface: String
    /// Addresses Rudder never programs or changes, like kube-router's `--excluded-cidrs`.
    public var excludedCIDRs: [IPPrefix]
    /// The cluster's pod subnets: traffic to a VIP from anywhere else is masqueraded.
    public var podSubnets: [IPPrefix]
    /// Whether Rudder manages the masquerade and hairpin rules (iptables + ipsets).
    public var masquerade: Bool
    /// Which iptables to drive: nil for the system's default (nft on Debian 12), "nft" or "legacy".
    public var iptablesVariant: String?

    /// kube-router's dummy link name, kept so that a migrated node needs no cleanup.
    public static let defaultDummyInterface = "kube-dummy-if"

    /// Settings with kube-router's defaults.
    public init(
        nodeAddresses: [IPAddress] = [], nodePortsOnAllAddresses: Bool = false,
        dummyInterface: String = ProxySettings.defaultDummyInterface, excludedCIDRs: [IPPrefix] = [],
        podSubnets: [IPPrefix] = [], masquerade: Bool = true, iptablesVariant: String? = nil
    ) {
        self.podSubnets = podSubnets
        self.masquerade = masquerade
        self.iptablesVariant = iptablesVariant
        self.nodeAddresses = nodeAddresses
        self.nodePortsOnAllAddresses = nodePortsOnAllAddresses
        self.dummyInterface = dummyInterface
        self.excludedCIDRs = excludedCIDRs
    }

    /// The addresses NodePorts listen on.
    public var nodePortAddresses: [IPAddress] {
        if nodePortsOnAllAddresses { return nodeAddresses }
        var primaries: [IPAddress] = []
        for family in AddressFamily.allCases {
            if let first = nodeAddresses.first(where: { $0.family == family }) { primaries.append(first) }
        }
        return primaries
    }

    /// Whether an address falls in an excluded range.
    public func isExcluded(_ address: IPAddress) -> Bool {
        excludedCIDRs.contains { $0.contains(address) }
    }
}
