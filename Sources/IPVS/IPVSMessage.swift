import Addresses
import Netlink

/// Encodes IPVS operations and requests as generic netlink messages, and decodes the kernel's replies.
///
/// Written directly over generic netlink rather than through libipvs: the attribute layout is
/// small and fixed (include/uapi/linux/ip_vs.h), and owning the codec lets every reply be
/// length-checked and fuzzed. Encoding follows ipvsadm: services are identified inside a
/// (nested) IPVS_CMD_ATTR_SERVICE, destinations inside IPVS_CMD_ATTR_DEST, addresses are 16-byte
/// `union nf_inet_addr`s, ports are in network byte order.
public enum IPVSMessage {
    /// The generic netlink family name the kernel registers (IPVS_GENL_NAME).
    public static let familyName = "IPVS"
    /// The family's protocol version (IPVS_GENL_VERSION).
    public static let version: UInt8 = 1

    /// The request that performs `operation`.
    public static func encode(_ operation: IPVSOperation) -> GenericNetlinkMessage {
        typealias Command = IPVSNetlink.Command
        switch operation {
        case .addService(let service):
            return message(Command.newService, service: serviceAttributes(service))
        case .updateService(let service):
            return message(Command.setService, service: serviceAttributes(service))
        case .deleteService(let key):
            return message(Command.deleteService, service: identity(key))
        case .addRealServer(let key, let server):
            return message(Command.newDestination, service: identity(key), destination: destinationAttributes(server))
        case .updateRealServer(let key, let server):
            return message(Command.setDestination, service: identity(key), destination: destinationAttributes(server))
        case .deleteRealServer(let key, let address, let port):
            return message(
                Command.deleteDestination, service: identity(key),
                destination: destinationIdentity(address: address, port: port))
        }
    }

    /// The request for a dump of every service in the namespace.
    public static func servicesRequest() -> GenericNetlinkMessage {
        GenericNetlinkMessage(command: IPVSNetlink.Command.getService, version: version, attributes: [])
    }

    /// The request for one service (not a dump); the kernel answers ESRCH when it does not exist.
    public static func serviceRequest(_ key: IPVSServiceKey) -> GenericNetlinkMessage {
        message(IPVSNetlink.Command.getService, service: identity(key))
    }

    /// The request for a dump of one service's real servers.
    public static func realServersRequest(of key: IPVSServiceKey) -> GenericNetlinkMessage {
        message(IPVSNetlink.Command.getDestination, service: identity(key))
    }

    /// The request for the namespace's connection timeouts.
    public static func timeoutsRequest() -> GenericNetlinkMessage {
        GenericNetlinkMessage(command: IPVSNetlink.Command.getConfig, version: version, attributes: [])
    }

    /// The request that sets the connection timeouts; the kernel leaves a timeout of 0 unchanged.
    public static func setTimeoutsRequest(_ timeouts: IPVSTimeouts) -> GenericNetlinkMessage {
        GenericNetlinkMessage(
            command: IPVSNetlink.Command.setConfig, version: version,
            attributes: [
                .u32(IPVSNetlink.CommandAttribute.timeoutTCP, timeouts.tcp),
                .u32(IPVSNetlink.CommandAttribute.timeoutTCPFin, timeouts.tcpFin),
                .u32(IPVSNetlink.CommandAttribute.timeoutUDP, timeouts.udp),
            ])
    }

    private static func message(
        _ command: UInt8, service: [NetlinkAttribute], destination: [NetlinkAttribute]? = nil
    ) -> GenericNetlinkMessage {
        var attributes: [NetlinkAttribute] = [.nest(IPVSNetlink.CommandAttribute.service, service)]
        if let destination { attributes.append(.nest(IPVSNetlink.CommandAttribute.destination, destination)) }
        return GenericNetlinkMessage(command: command, version: version, attributes: attributes)
    }

    /// The attributes that find a service: family, then protocol, address and port, or the mark.
    static func identity(_ key: IPVSServiceKey) -> [NetlinkAttribute] {
        typealias Attribute = IPVSNetlink.ServiceAttribute
        let family = NetlinkAttribute.u16(Attribute.addressFamily, UInt16(key.family.kernelValue))
        switch key {
        case .address(let proto, let address, let port):
            return [
                family, .u16(Attribute.proto, proto.rawValue),
                NetlinkAttribute(type: Attribute.address, bytes: inetAddress(address)),
                .u16(Attribute.port, port.bigEndian),
            ]
        case .firewallMark(_, let mark):
            return [family, .u32(Attribute.firewallMark, mark)]
        }
    }

    /// Everything the kernel requires to create or change a service.
    static func serviceAttributes(_ service: IPVSVirtualService) -> [NetlinkAttribute] {
        typealias Attribute = IPVSNetlink.ServiceAttribute
        // struct ip_vs_flags: the flags, then a mask of the bits to set; ipvsadm sends a full mask.
        var flags: [UInt8] = []
        withUnsafeBytes(of: service.effectiveFlags.rawValue) { flags.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32.max) { flags.append(contentsOf: $0) }
        // The kernel keeps an IPv4 mask as a __be32 but an IPv6 prefix length as a plain number.
        let netmask = service.key.family == .ipv4 ? service.netmask.bigEndian : service.netmask
        return identity(service.key) + [
            .string(Attribute.schedulerName, service.scheduler),
            NetlinkAttribute(type: Attribute.flags, bytes: flags),
            .u32(Attribute.timeout, service.persistenceTimeout),
            .u32(Attribute.netmask, netmask),
        ]
    }

    /// The attributes that find a real server within its service.
    static func destinationIdentity(address: IPAddress, port: UInt16) -> [NetlinkAttribute] {
        typealias Attribute = IPVSNetlink.DestinationAttribute
        return [
            NetlinkAttribute(type: Attribute.address, bytes: inetAddress(address)),
            .u16(Attribute.port, port.bigEndian),
            // Sent always, so a server of the other family than its service is read as such.
            .u16(Attribute.addressFamily, UInt16(address.family.kernelValue)),
        ]
    }

    /// Everything the kernel requires to add or change a real server.
    static func destinationAttributes(_ server: IPVSRealServer) -> [NetlinkAttribute] {
        typealias Attribute = IPVSNetlink.DestinationAttribute
        return destinationIdentity(address: server.address, port: server.port) + [
            .u32(Attribute.forwardingMethod, server.forwarding.rawValue),
            .u32(Attribute.weight, UInt32(bitPattern: server.weight)),
            .u32(Attribute.upperThreshold, server.upperThreshold),
            .u32(Attribute.lowerThreshold, server.lowerThreshold),
        ]
    }

    /// A union nf_inet_addr: the address in network order, zero-padded to 16 bytes.
    static func inetAddress(_ address: IPAddress) -> [UInt8] {
        let bytes = address.bytes
        return bytes + repeatElement(0, count: IPVSNetlink.addressSize - bytes.count)
    }
}
