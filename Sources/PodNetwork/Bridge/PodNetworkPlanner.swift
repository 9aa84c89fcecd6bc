import Addresses
import Netlink

/// Plans the links of the pod network: the bridge with its gateway addresses, and the tunnels.
///
/// Pure. It changes only the bridge (by its configured name) and `ipip` links named as Rudder's
/// tunnels; an address on the bridge that is no longer wanted stays, since pods of a former pod
/// CIDR still use it as their gateway until they are drained.
public enum PodNetworkPlanner {
    /// The operations, in order, and what stands in the way.
    public struct Plan: Hashable, Sendable {
        /// The operations to send, in order.
        public var operations: [LinkOperation] = []
        /// Why part of the state cannot be made (a foreign link holding the bridge's name).
        public var problems: [String] = []
        /// Whether a link that is not a bridge holds the bridge's name, so no pod can attach.
        public var bridgeBlocked = false
    }

    /// Plans `state` against the kernel's links, addresses and open GUE ports.
    public static func plan(
        _ state: PodNetworkState, settings: PodNetworkSettings, links: [Link], addresses: [InterfaceAddress],
        guePorts: [UInt16] = []
    ) -> Plan {
        var plan = Plan()
        // The receive port before the tunnels, so a far node's first packets are not refused.
        var ports = Set(guePorts)
        for tunnel in state.tunnels {
            if case .gue(let port) = tunnel.encapsulation, ports.insert(port).inserted {
                plan.operations.append(.addGUEPort(port))
            }
        }
        planBridge(state, settings: settings, links: links, addresses: addresses, into: &plan)
        // The tunnels carry the pods' packets, whose MTU already leaves room for the outer header.
        planTunnels(state.tunnels, mtu: state.mtu, links: links, into: &plan)
        return plan
    }

    private static func planBridge(
        _ state: PodNetworkState, settings: PodNetworkSettings, links: [Link], addresses: [InterfaceAddress],
        into plan: inout Plan
    ) {
        let name = settings.bridgeName
        let gateways = state.gatewayAddresses
        guard let bridge = links.first(where: { $0.name == name }) else {
            plan.operations.append(.addBridge(name: name, mtu: state.mtu, hardwareAddress: state.bridgeHardwareAddress))
            plan.operations += gateways.map { .addAddress(link: name, address: $0) }
            plan.operations.append(.setUp(name: name))
            return
        }
        guard bridge.kind == "bridge" else {
            plan.bridgeBlocked = true
            plan.problems.append(
                "link \(name) exists and is a \(bridge.kind ?? "link of unknown kind"), not a bridge; "
                    + "Rudder leaves it alone and pods cannot attach until it is removed")
            return
        }
        if bridge.mtu != state.mtu { plan.operations.append(.setMTU(name: name, mtu: state.mtu)) }
        let present = Set(addresses.lazy.filter { $0.linkIndex == bridge.index }.map(\.address))
        plan.operations += gateways.filter { !present.contains($0) }.map { .addAddress(link: name, address: $0) }
        if !bridge.isUp { plan.operations.append(.setUp(name: name)) }
    }

    private static func planTunnels(_ tunnels: [OverlayTunnel], mtu: UInt32, links: [Link], into plan: inout Plan) {
        let owned = Dictionary(
            links.filter { OverlayTunnel.isOwned(name: $0.name, kind: $0.kind) }.map { ($0.name, $0) },
            uniquingKeysWith: { first, _ in first })
        let wanted = Dictionary(tunnels.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for name in owned.keys.sorted() where wanted[name] == nil { plan.operations.append(.deleteLink(name: name)) }
        for name in wanted.keys.sorted() {
            let tunnel = wanted[name]!
            let endpoints = IPIPTunnel(local: tunnel.local, remote: tunnel.remote)
            if let link = owned[name], link.tunnel == endpoints {
                if link.mtu != mtu { plan.operations.append(.setMTU(name: name, mtu: mtu)) }
                if !link.isUp { plan.operations.append(.setUp(name: name)) }
                continue
            }
            if owned[name] != nil { plan.operations.append(.deleteLink(name: name)) }
            if links.contains(where: { $0.name == name && owned[name] == nil }) {
                plan.problems.append("link \(name) exists and is not Rudder's tunnel; no tunnel to \(tunnel.remote)")
                continue
            }
            plan.operations += [
                .addTunnel(name: name, tunnel: endpoints, encapsulation: tunnel.encapsulation, mtu: mtu),
                .setUp(name: name),
            ]
        }
    }
}
