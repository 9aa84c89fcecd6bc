import Addresses
import Netlink

extension IPVSMessage {
    /// What a service reply held: a service, a service of a protocol Rudder does not model, or garbage.
    enum ServiceDecoding: Equatable {
        case service(IPVSVirtualService)
        /// A well-formed service of another protocol (the kernel also knows AH and ESP); not Rudder's.
        case unsupportedProtocol(UInt16)
        case malformed
    }

    /// Decodes one reply of a service dump or get (IPVS_CMD_NEW_SERVICE); nil when it is malformed
    /// in any way, or is a service of a protocol other than TCP, UDP and SCTP.
    public static func decodeService(_ message: NetlinkMessage) -> IPVSVirtualService? {
        guard case .service(let service) = serviceDecoding(message) else { return nil }
        return service
    }

    /// Decodes one reply of a real-server dump (IPVS_CMD_NEW_DEST); nil when it is malformed.
    ///
    /// `serviceFamily` is the address family to assume when the kernel does not name the
    /// server's own (older kernels did not).
    public static func decodeRealServer(
        _ message: NetlinkMessage, serviceFamily: AddressFamily
    ) -> IPVSObservedRealServer? {
        typealias Attribute = IPVSNetlink.DestinationAttribute
        do throws(IPVSAttributeReader.Malformed) {
            let top = try IPVSAttributeReader(message: message, command: IPVSNetlink.Command.newDestination)
            let nest = try need(
                top.nested(IPVSNetlink.CommandAttribute.destination, maxType: Attribute.max))
            let family = try nest.family(Attribute.addressFamily) ?? serviceFamily
            let address = try need(nest.address(Attribute.address, family: family))
            let port = try need(nest.port(Attribute.port))
            let forwarding = try need(
                IPVSForwardingMethod(rawValue: need(nest.integer(Attribute.forwardingMethod, as: UInt32.self))))
            let weight = try need(nest.integer(Attribute.weight, as: UInt32.self))
            let upper = try need(nest.integer(Attribute.upperThreshold, as: UInt32.self))
            let lower = try need(nest.integer(Attribute.lowerThreshold, as: UInt32.self))
            // Tunnel parameters are not modelled, but their sizes are still checked.
            _ = try nest.integer(Attribute.tunnelType, as: UInt8.self)
            _ = try nest.integer(Attribute.tunnelPort, as: UInt16.self)
            _ = try nest.integer(Attribute.tunnelFlags, as: UInt16.self)
            let server = IPVSRealServer(
                address: address, port: port, forwarding: forwarding, weight: Int32(bitPattern: weight),
                upperThreshold: upper, lowerThreshold: lower)
            return IPVSObservedRealServer(
                server: server,
                activeConnections: try nest.integer(Attribute.activeConnections) ?? 0,
                inactiveConnections: try nest.integer(Attribute.inactiveConnections) ?? 0,
                persistentConnections: try nest.integer(Attribute.persistentConnections) ?? 0,
                statistics: try statistics(in: nest, narrow: Attribute.statistics, wide: Attribute.statistics64)
                    ?? .zero)
        } catch {
            return nil
        }
    }

    /// Decodes the reply to a timeouts request (IPVS_CMD_SET_CONFIG); nil when it is malformed.
    /// A timeout the kernel leaves out (its protocol compiled out) reads as 0.
    public static func decodeTimeouts(_ message: NetlinkMessage) -> IPVSTimeouts? {
        typealias Attribute = IPVSNetlink.CommandAttribute
        do throws(IPVSAttributeReader.Malformed) {
            let top = try IPVSAttributeReader(message: message, command: IPVSNetlink.Command.setConfig)
            return IPVSTimeouts(
                tcp: try top.integer(Attribute.timeoutTCP) ?? 0,
                tcpFin: try top.integer(Attribute.timeoutTCPFin) ?? 0,
                udp: try top.integer(Attribute.timeoutUDP) ?? 0)
        } catch {
            return nil
        }
    }

    static func serviceDecoding(_ message: NetlinkMessage) -> ServiceDecoding {
        typealias Attribute = IPVSNetlink.ServiceAttribute
        do throws(IPVSAttributeReader.Malformed) {
            let top = try IPVSAttributeReader(message: message, command: IPVSNetlink.Command.newService)
            let nest = try need(top.nested(IPVSNetlink.CommandAttribute.service, maxType: Attribute.max))
            let family = try need(nest.family(Attribute.addressFamily))
            var protocolNumber: UInt16 = 0
            var endpoint: (IPAddress, UInt16)?
            let mark = try nest.integer(Attribute.firewallMark, as: UInt32.self)
            if let mark {
                // The kernel sends a mark only for mark services, and a mark service never has mark 0.
                guard mark != 0 else { throw IPVSAttributeReader.Malformed() }
            } else {
                protocolNumber = try need(nest.integer(Attribute.proto))
                endpoint = (
                    try need(nest.address(Attribute.address, family: family)), try need(nest.port(Attribute.port))
                )
            }
            let scheduler = try need(nest.string(Attribute.schedulerName))
            let flagBytes = try need(nest.raw(Attribute.flags))
            guard flagBytes.count == IPVSNetlink.flagsSize else { throw IPVSAttributeReader.Malformed() }
            let flags = flagBytes.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
            let timeout = try need(nest.integer(Attribute.timeout, as: UInt32.self))
            let rawNetmask = try need(nest.integer(Attribute.netmask, as: UInt32.self))
            _ = try nest.string(Attribute.persistenceEngine)
            let statistics = try statistics(in: nest, narrow: Attribute.statistics, wide: Attribute.statistics64)

            let key: IPVSServiceKey
            if let mark {
                key = .firewallMark(family, mark)
            } else if let proto = IPVSProtocol(rawValue: protocolNumber), let (address, port) = endpoint {
                key = .address(proto, address, port: port)
            } else {
                return .unsupportedProtocol(protocolNumber)
            }
            return .service(
                IPVSVirtualService(
                    key: key, scheduler: scheduler, flags: IPVSServiceFlags(rawValue: flags),
                    persistenceTimeout: timeout,
                    netmask: family == .ipv4 ? UInt32(bigEndian: rawNetmask) : rawNetmask, statistics: statistics))
        } catch {
            return .malformed
        }
    }

    /// Reads both statistics nests when present (so either being malformed is caught) and prefers
    /// the 64-bit one; nil when there are none.
    private static func statistics(
        in nest: IPVSAttributeReader, narrow: UInt16, wide: UInt16
    ) throws(IPVSAttributeReader.Malformed) -> IPVSStatistics? {
        let maxType = IPVSNetlink.StatisticsAttribute.max
        var result: IPVSStatistics?
        if let reader = try nest.nested(narrow, maxType: maxType) { result = try statistics(reader, wide: false) }
        if let reader = try nest.nested(wide, maxType: maxType) { result = try statistics(reader, wide: true) }
        return result
    }

    /// The 64-bit nest holds only u64s; the older one holds u32s except for the byte counters.
    private static func statistics(
        _ reader: IPVSAttributeReader, wide: Bool
    ) throws(IPVSAttributeReader.Malformed) -> IPVSStatistics {
        typealias Attribute = IPVSNetlink.StatisticsAttribute
        func counter(_ type: UInt16, alwaysWide: Bool = false) throws(IPVSAttributeReader.Malformed) -> UInt64 {
            if wide || alwaysWide { return try reader.integer(type, as: UInt64.self) ?? 0 }
            return UInt64(try reader.integer(type, as: UInt32.self) ?? 0)
        }
        return IPVSStatistics(
            connections: try counter(Attribute.connections),
            incomingPackets: try counter(Attribute.incomingPackets),
            outgoingPackets: try counter(Attribute.outgoingPackets),
            incomingBytes: try counter(Attribute.incomingBytes, alwaysWide: true),
            outgoingBytes: try counter(Attribute.outgoingBytes, alwaysWide: true),
            connectionsPerSecond: try counter(Attribute.connectionsPerSecond),
            incomingPacketsPerSecond: try counter(Attribute.incomingPacketsPerSecond),
            outgoingPacketsPerSecond: try counter(Attribute.outgoingPacketsPerSecond),
            incomingBytesPerSecond: try counter(Attribute.incomingBytesPerSecond),
            outgoingBytesPerSecond: try counter(Attribute.outgoingBytesPerSecond))
    }
}

/// Unwraps an attribute the message cannot do without.
private func need<T>(_ value: T?) throws(IPVSAttributeReader.Malformed) -> T {
    guard let value else { throw IPVSAttributeReader.Malformed() }
    return value
}
