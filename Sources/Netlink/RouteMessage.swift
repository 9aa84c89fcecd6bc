#if canImport(Glibc)
    import Glibc
#endif

/// Encodes route operations as RTM_NEWROUTE / RTM_DELROUTE messages.
///
/// Written directly rather than through libnl's route objects: building ten thousand libnl
/// objects cost about as much as the kernel's work of installing the routes. Replies are
/// still parsed by libnl, and the tests check that libnl reads back what this writes.
public enum RouteMessage {
    static let newRoute: UInt16 = 24
    static let deleteRoute: UInt16 = 25
    static let attributeDestination: UInt16 = 1
    static let attributeOutputLink: UInt16 = 4
    static let attributeGateway: UInt16 = 5
    static let attributePriority: UInt16 = 6
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
