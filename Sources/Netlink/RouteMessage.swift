import Addresses

#if canImport(Glibc)
    import Glibc
#endif

/// Encodes route operations as RTM_NEWROUTE / RTM_DELROUTE messages, and decodes the kernel's.
///
/// Written directly rather than through libnl's route objects: building ten thousand libnl
/// objects cost about as much as the kernel's work of installing the routes. A test feeds
/// what this encodes to libnl's own parser, so the two cannot drift apart.
public enum RouteMessage {
    static let newRoute: UInt16 = 24
    static let deleteRoute: UInt16 = 25
    static let attributeDestination: UInt16 = 1
    static let attributeOutputLink: UInt16 = 4
    static let attributeGateway: UInt16 = 5
    static let attributePriority: UInt16 = 6
    static let attributePreferredSource: UInt16 = 7
    static let attributeMultipath: UInt16 = 9
    static let attributeTable: UInt16 = 15
    static let nextHopOnlink: UInt8 = 4

    /// The request for one operation; the socket fills in the sequence number.
    public static func encode(_ operation: RouteOperation) -> NetlinkMessage {
        let route = operation.route
        let type: UInt16
        var flags: UInt16 = 0x1  // NLM_F_REQUEST
        switch operation {
        case .add:
            type = newRoute
            flags |= 0x400 | 0x200  // NLM_F_CREATE | NLM_F_EXCL
        case .replace:
            type = newRoute
            flags |= 0x400 | 0x100  // NLM_F_CREATE | NLM_F_REPLACE
        case .delete:
            type = deleteRoute
        }
        let isDelete = type == deleteRoute
        var bytes: [UInt8] = []
        bytes.reserveCapacity(96 + route.nextHops.count * 24)
        bytes.append(contentsOf: repeatElement(0, count: NetlinkMessage.headerSize))
        let single = route.nextHops.count == 1 ? route.nextHops[0] : nil
        // struct rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags (u32).
        bytes.append(UInt8(route.family.kernelValue))
        bytes.append(UInt8(route.destination.length))
        bytes.append(0)
        bytes.append(0)
        bytes.append(route.table < 256 ? UInt8(route.table) : 252 /* RT_TABLE_COMPAT */)
        bytes.append(route.protocolNumber)
        // RT_SCOPE_NOWHERE on delete matches any scope; the protocol is what guards ownership.
        bytes.append(isDelete ? 255 : route.scope)
        bytes.append(isDelete ? 0 : route.type)
        let routeFlags: UInt32 = !isDelete && single?.onlink == true ? UInt32(nextHopOnlink) : 0
        append(routeFlags, to: &bytes)
        appendAttribute(attributeTable, route.table, to: &bytes)
        appendAttribute(attributeDestination, bytes: route.destination.address.bytes, to: &bytes)
        appendAttribute(attributePriority, route.metric, to: &bytes)
        if !isDelete {
            if let source = route.preferredSource {
                appendAttribute(attributePreferredSource, bytes: source.bytes, to: &bytes)
            }
            if let hop = single {
                if let gateway = hop.gateway { appendAttribute(attributeGateway, bytes: gateway.bytes, to: &bytes) }
                if hop.linkIndex != 0 {
                    appendAttribute(attributeOutputLink, UInt32(bitPattern: hop.linkIndex), to: &bytes)
                }
            } else if route.nextHops.count > 1 {
                appendAttribute(attributeMultipath, bytes: multipath(route.nextHops), to: &bytes)
            }
        }
        var message = NetlinkMessage(bytes: bytes)
        message.length = UInt32(bytes.count)
        message.type = type
        message.flags = flags
        return message
    }

    /// Decodes a route message from the kernel; nil when it is malformed or not IPv4/IPv6.
    ///
    /// Written in Swift rather than with libnl's rtnl_route_parse: fuzzing found libnl 3.7
    /// looping forever on a multipath entry shorter than its header and copying a negative
    /// length for a gateway attribute shorter than an address. Every length is checked here.
    public static func decode(_ message: NetlinkMessage) -> Route? {
        let bytes = message.bytes
        let end = Int(message.length)
        let base = NetlinkMessage.headerSize
        guard end <= bytes.count, end >= base + 12 else { return nil }
        guard let family = AddressFamily(kernelValue: Int32(bytes[base])) else { return nil }
        let width = family.bitWidth / 8
        let destinationLength = Int(bytes[base + 1])
        guard destinationLength <= family.bitWidth else { return nil }
        var table = UInt32(bytes[base + 4])
        let protocolNumber = bytes[base + 5]
        let scope = bytes[base + 6]
        let type = bytes[base + 7]
        let routeFlags = bytes.readUInt32(at: base + 8)
        var destination = IPPrefix(address: family == .ipv4 ? .v4(0) : .v6(0, 0), length: 0)
        var metric: UInt32 = 0
        var gateway: IPAddress?
        var preferredSource: IPAddress?
        var linkIndex: Int32 = 0
        var hops: [NextHop]?
        for attribute in NetlinkAttribute.parse(bytes[(base + 12)..<end]) {
            switch attribute.type {
            case attributeDestination:
                guard attribute.value.count == width, let address = IPAddress(bytes: attribute.value) else {
                    return nil
                }
                destination = IPPrefix(address: address, length: destinationLength)
            case attributeTable:
                guard let value = attribute.u32Value else { return nil }
                table = value
            case attributePriority:
                guard let value = attribute.u32Value else { return nil }
                metric = value
            case attributeGateway:
                guard attribute.value.count == width else { return nil }
                gateway = IPAddress(bytes: attribute.value)
            case attributePreferredSource:
                guard attribute.value.count == width else { return nil }
                preferredSource = IPAddress(bytes: attribute.value)
            case attributeOutputLink:
                guard let value = attribute.u32Value else { return nil }
                linkIndex = Int32(bitPattern: value)
            case attributeMultipath:
                guard let parsed = decodeMultipath(attribute.value, addressWidth: width) else { return nil }
                hops = parsed
            default:
                continue
            }
        }
        let nextHops =
            hops ?? [
                NextHop(gateway: gateway, linkIndex: linkIndex, onlink: routeFlags & UInt32(nextHopOnlink) != 0)
            ]
        return Route(
            destination: destination, table: table, protocolNumber: protocolNumber, scope: scope, metric: metric,
            type: type, nextHops: nextHops, preferredSource: preferredSource)
    }

    private static func decodeMultipath(_ value: [UInt8], addressWidth: Int) -> [NextHop]? {
        var hops: [NextHop] = []
        var offset = 0
        while offset + 8 <= value.count {
            let length = Int(value.readUInt16(at: offset))
            guard length >= 8, offset + length <= value.count else { return nil }
            var hop = NextHop(
                gateway: nil, linkIndex: Int32(bitPattern: value.readUInt32(at: offset + 4)),
                onlink: value[offset + 2] & nextHopOnlink != 0, weight: Int(value[offset + 3]) + 1)
            for inner in NetlinkAttribute.parse(value[(offset + 8)..<(offset + length)])
            where inner.type == attributeGateway {
                guard inner.value.count == addressWidth else { return nil }
                hop.gateway = IPAddress(bytes: inner.value)
            }
            hops.append(hop)
            offset += (length + 3) & ~3
        }
        return hops
    }

    /// struct rtnexthop entries, each followed by its gateway attribute.
    private static func multipath(_ hops: [NextHop]) -> [UInt8] {
        var out: [UInt8] = []
        for hop in hops {
            var entry: [UInt8] = []
            if let gateway = hop.gateway { appendAttribute(attributeGateway, bytes: gateway.bytes, to: &entry) }
            let length = UInt16(8 + entry.count)
            withUnsafeBytes(of: length) { out.append(contentsOf: $0) }
            out.append(hop.onlink ? nextHopOnlink : 0)
            out.append(UInt8(clamping: max(hop.weight, 1) - 1))  // rtnh_hops is weight - 1
            withUnsafeBytes(of: hop.linkIndex) { out.append(contentsOf: $0) }
            out.append(contentsOf: entry)
        }
        return out
    }

    private static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) }
    }

    private static func appendAttribute(_ type: UInt16, _ value: UInt32, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: UInt16(8)) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: type) { bytes.append(contentsOf: $0) }
        append(value, to: &bytes)
    }

    private static func appendAttribute(_ type: UInt16, bytes value: [UInt8], to bytes: inout [UInt8]) {
        withUnsafeBytes(of: UInt16(4 + value.count)) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: type) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: value)
        bytes.append(contentsOf: repeatElement(0, count: (4 - value.count % 4) % 4))
    }
}
