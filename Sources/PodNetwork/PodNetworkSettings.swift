import Addresses

/// How the node's pod network is laid out: the bridge, the CNI file, egress and the overlay.
public struct PodNetworkSettings: Hashable, Sendable {
    /// The bridge pods attach to; kube-router's name, so a node's pods keep their bridge across the move.
    public var bridgeName: String
    /// The CNI network's name in the conflist (host-local keeps its leases under this name).
    public var networkName: String
    /// The directory container runtimes read CNI configurations from.
    public var configDirectory: String
    /// The conflist's file name in that directory.
    public var configFileName: String
    /// Whether a pod may reach itself through a Service (the bridge's hairpin mode on pod ports).
    public var hairpinMode: Bool
    /// The pods' MTU, or nil to take the node link's MTU less the overlay's overhead.
    public var mtu: UInt32?
    /// Whether traffic from local pods to outside every pod CIDR is masqueraded to the node.
    public var egressMasquerade: Bool
    /// Destinations that see pods' own addresses (networks that route pod CIDRs, learned by BGP).
    public var nonMasqueradeCIDRs: [IPPrefix]
    /// Which remote nodes are reached through a tunnel.
    public var overlay: OverlayMode
    /// How the tunnels carry packets.
    public var overlayEncapsulation: OverlayEncapsulation
    /// Which iptables the node's rules live in: "legacy", "nft", or nil for the system's default.
    public var iptablesVariant: String?

    /// Settings with kube-router's defaults: `kube-bridge`, hairpin on, egress on, no overlay.
    public init(
        bridgeName: String = "kube-bridge", networkName: String = "rudder", configDirectory: String = "/etc/cni/net.d",
        configFileName: String = "10-rudder.conflist", hairpinMode: Bool = true, mtu: UInt32? = nil,
        egressMasquerade: Bool = true, nonMasqueradeCIDRs: [IPPrefix] = [], overlay: OverlayMode = .off,
        overlayEncapsulation: OverlayEncapsulation = .ipip, iptablesVariant: String? = nil
    ) {
        self.overlayEncapsulation = overlayEncapsulation
        self.bridgeName = bridgeName
        self.networkName = networkName
        self.configDirectory = configDirectory
        self.configFileName = configFileName
        self.hairpinMode = hairpinMode
        self.mtu = mtu
        self.egressMasquerade = egressMasquerade
        self.nonMasqueradeCIDRs = nonMasqueradeCIDRs
        self.overlay = overlay
        self.iptablesVariant = iptablesVariant
    }

    /// Why `name` cannot be a CNI network or link name here, or nil when it can: the CNI spec's
    /// rule for a network name (a letter or digit, then letters, digits, '-', '_', '.'), which
    /// also keeps the conflist free of characters JSON would have to escape.
    public static func nameProblem(_ name: String, maximumLength: Int) -> String? {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= maximumLength else {
            return "must have 1 to \(maximumLength) characters"
        }
        let isAlphanumeric = { (scalar: Unicode.Scalar) in
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
        }
        guard isAlphanumeric(first),
            name.unicodeScalars.allSatisfy({ isAlphanumeric($0) || "-_.".unicodeScalars.contains($0) })
        else { return "must start with a letter or digit and hold only letters, digits, '-', '_' and '.'" }
        return nil
    }

    /// The conflist's full path.
    public var configPath: String { configDirectory + "/" + configFileName }
}

/// Which remote nodes' pods are reached through an IP-in-IP tunnel (kube-router's `--overlay-type`).
public enum OverlayMode: String, Hashable, Sendable, CaseIterable {
    /// No tunnels: every node's pod CIDR is routed via its address, which must be reachable directly.
    case off
    /// A tunnel to each node outside this node's own subnet; nodes on the same subnet are routed directly.
    case subnet
    /// A tunnel to every other node.
    case full

}

/// How a tunnel carries pod packets (kube-router's `--overlay-encap`).
public enum OverlayEncapsulation: Hashable, Sendable {
    /// IPv4 in IPv4.
    case ipip
    /// IPv4 in GUE in UDP to `port`, as kube-router's `fou` does it (`encap gue`), so a tunnel
    /// between a Rudder node and a kube-router node works during a migration; UDP lets the
    /// underlay's ECMP hash spread tunnels by source port.
    case gue(port: UInt16)

    /// The UDP port of a GUE encapsulation, nil for IP-in-IP.
    public var port: UInt16? {
        if case .gue(let port) = self { port } else { nil }
    }

    /// kube-router's default `--overlay-encap-port`.
    public static let defaultPort: UInt16 = 5555

    /// The bytes each packet loses to the outer headers: IPv4 20, plus UDP 8 and GUE 4.
    public var overhead: UInt32 {
        switch self {
        case .ipip: 20
        case .gue: 32
        }
    }

    /// The prefix of Rudder's tunnel names with this encapsulation, so that a change of
    /// encapsulation shows in the name and makes new tunnels.
    public var namePrefix: String {
        switch self {
        case .ipip: "rtun"
        case .gue: "rgue"
        }
    }
}
