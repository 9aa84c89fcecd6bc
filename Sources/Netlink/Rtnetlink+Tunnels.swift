import Addresses

#if canImport(Glibc)
    import Glibc
#endif

extension Rtnetlink {
    /// Creates an IPv4-in-IPv4 tunnel between `tunnel.local` and `tunnel.remote`, down, with an MTU
    /// when given; with `guePort`, its packets travel in UDP with a GUE header to that port on the
    /// far node (`ip link add NAME type ipip local L remote R encap gue encap-sport auto
    /// encap-dport PORT`).
    ///
    /// libnl has no setters for a tunnel's encapsulation, so the request is built here, the same
    /// for both kinds: a plain tunnel proves the request that a GUE one extends by four attributes.
    public func addIPIPTunnel(name: String, _ tunnel: IPIPTunnel, guePort: UInt16? = nil, mtu: UInt32? = nil) throws {
        let operation = "add ipip tunnel \(name) \(tunnel)" + (guePort.map { " encap gue port \($0)" } ?? "")
        guard tunnel.local.family == .ipv4, tunnel.remote.family == .ipv4 else {
            throw NetlinkError(operation: operation, errno: EAFNOSUPPORT)
        }
        var data: [NetlinkAttribute] = [
            NetlinkAttribute(type: TunnelAttribute.local, bytes: tunnel.local.bytes),
            NetlinkAttribute(type: TunnelAttribute.remote, bytes: tunnel.remote.bytes),
            // Path MTU discovery on, as `ip link add ... type ipip` sets it, so the inner packets
            // learn the tunnel's MTU.
            .u8(TunnelAttribute.pathMTUDiscovery, 1),
        ]
        if let port = guePort {
            data += [
                .u16(TunnelAttribute.encapsulationType, TunnelAttribute.encapsulationGUE),
                .u16(TunnelAttribute.encapsulationFlags, 0),
                // Source port 0: the kernel picks one per flow, so ECMP in the underlay spreads them.
                NetlinkAttribute(type: TunnelAttribute.encapsulationSourcePort, bytes: [0, 0]),
                NetlinkAttribute(
                    type: TunnelAttribute.encapsulationDestinationPort,
                    bytes: [UInt8(port >> 8), UInt8(truncatingIfNeeded: port)]),
            ]
        }
        var attributes: [NetlinkAttribute] = [.string(3 /* IFLA_IFNAME */, name)]
        if let mtu { attributes.append(.u32(4 /* IFLA_MTU */, mtu)) }
        attributes.append(
            .nest(
                18 /* IFLA_LINKINFO */,
                [.string(1 /* IFLA_INFO_KIND */, "ipip"), .nest(2 /* IFLA_INFO_DATA */, data)]))
        // struct ifinfomsg, all zero: any family, no index yet, no flags.
        let payload = [UInt8](repeating: 0, count: 16) + NetlinkAttribute.encode(attributes)
        // NLM_F_CREATE | NLM_F_EXCL: a link of that name already there is an error, not a change.
        let message = NetlinkMessage(type: 16 /* RTM_NEWLINK */, flags: 0x400 | 0x200, payload: payload)
        do {
            _ = try socket.request(message, operation: operation, isWrite: true)
        } catch let error as NetlinkError where guePort != nil && error.errno == EINVAL {
            // The kernel's only answer when it was built without GUE for IP tunnels.
            throw NetlinkError(
                operation: operation + " (the kernel refuses GUE encapsulation: built without "
                    + "CONFIG_NET_FOU_IP_TUNNELS?)", errno: EINVAL)
        }
    }
}

/// The kernel's IFLA_IPTUN_* attribute numbers and the GUE encapsulation type.
enum TunnelAttribute {
    static let local: UInt16 = 2
    static let remote: UInt16 = 3
    static let pathMTUDiscovery: UInt16 = 10
    static let encapsulationType: UInt16 = 15
    static let encapsulationFlags: UInt16 = 16
    static let encapsulationSourcePort: UInt16 = 17
    static let encapsulationDestinationPort: UInt16 = 18
    /// TUNNEL_ENCAP_GUE.
    static let encapsulationGUE: UInt16 = 2
}

/// The receive side of foo-over-UDP: the UDP ports where the kernel takes GUE packets apart
/// (`ip fou add port PORT gue`), through the `fou` generic netlink family.
public final class FOUClient: Sendable {
    private let netlink: GenericNetlink
    private let family: GenericNetlinkFamily

    /// Opens the family in `namespace`; it fails (ENOENT) when the kernel has no `fou` module.
    public init(namespace: NetworkNamespace = .current) throws {
        netlink = try GenericNetlink(namespace: namespace)
        family = try netlink.resolveFamily("fou")
    }

    /// The IPv4 UDP ports that take GUE packets.
    public func guePorts() throws -> [UInt16] {
        let request = GenericNetlinkMessage(command: 3 /* FOU_CMD_GET */, version: 1, attributes: [])
        let replies = try netlink.send(request, familyID: family.id, dump: true, operation: "list fou ports")
        return replies.compactMap { reply in
            let attributes = reply.attributes
            guard attributes.first(type: 2)?.value.first == UInt8(AF_INET),
                attributes.first(type: 4)?.value.first == 2 /* FOU_ENCAP_GUE */,
                let port = attributes.first(type: 1)?.value, port.count == 2
            else { return nil }
            return UInt16(port[0]) << 8 | UInt16(port[1])
        }.sorted()
    }

    /// Opens an IPv4 UDP port for GUE packets.
    public func addGUEPort(_ port: UInt16) throws {
        let request = GenericNetlinkMessage(
            command: 1 /* FOU_CMD_ADD */, version: 1,
            attributes: [
                NetlinkAttribute(
                    type: 1 /* FOU_ATTR_PORT */, bytes: [UInt8(port >> 8), UInt8(truncatingIfNeeded: port)]),
                .u8(2 /* FOU_ATTR_AF */, UInt8(AF_INET)), .u8(4 /* FOU_ATTR_TYPE */, 2 /* FOU_ENCAP_GUE */),
            ])
        _ = try netlink.send(request, familyID: family.id, isWrite: true, operation: "add fou port \(port) gue")
    }

    /// How many state-changing requests have been sent.
    public var writesSent: Int { netlink.socket.writesSent }
}
