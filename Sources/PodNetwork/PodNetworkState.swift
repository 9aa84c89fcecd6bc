import Addresses

/// What the node's pod network should be, built by the Agent from the Nodes. Plain values.
public struct PodNetworkState: Hashable, Sendable {
    /// This node's pod CIDRs, one per family at most.
    public var podCIDRs: [IPPrefix]
    /// Every node's pod CIDRs, this node's included: traffic to them keeps the pod's address.
    public var clusterPodCIDRs: [IPPrefix]
    /// The pods' MTU.
    public var mtu: UInt32
    /// The tunnels to remote nodes, when the overlay is on.
    public var tunnels: [OverlayTunnel]

    /// A state; with no pod CIDRs there is no bridge address and no conflist to write.
    public init(podCIDRs: [IPPrefix], clusterPodCIDRs: [IPPrefix] = [], mtu: UInt32, tunnels: [OverlayTunnel] = []) {
        self.podCIDRs = podCIDRs
        self.clusterPodCIDRs = clusterPodCIDRs
        self.mtu = mtu
        self.tunnels = tunnels
    }

    /// The bridge's gateway addresses: the first address of each pod CIDR, with the CIDR's length.
    public var gatewayAddresses: [IPPrefix] {
        podCIDRs.map { IPPrefix(address: Self.firstHost(of: $0), length: $0.length) }
    }

    /// The bridge's hardware address: locally administered, from the first pod CIDR's network.
    ///
    /// A bridge without one set takes the lowest MAC of its ports, so it changes as pods come and
    /// go, and a runtime's CNI CHECK (which compares the bridge's MAC with the ADD result's) fails.
    /// Pod CIDRs are unique in a cluster, so the address is too.
    public var bridgeHardwareAddress: [UInt8] {
        let low: UInt32 =
            switch podCIDRs.first?.network.address {
            case .v4(let value): value
            case .v6(let high, _): UInt32(truncatingIfNeeded: high)
            case nil: 0
            }
        return [
            0x02, UInt8(low >> 24), UInt8(truncatingIfNeeded: low >> 16), UInt8(truncatingIfNeeded: low >> 8),
            UInt8(truncatingIfNeeded: low), 0x01,
        ]
    }

    /// The first address after the network address, which pods use as their gateway.
    public static func firstHost(of prefix: IPPrefix) -> IPAddress {
        switch prefix.network.address {
        case .v4(let value): .v4(value &+ 1)
        case .v6(let high, let low): .v6(high, low &+ 1)
        }
    }
}
