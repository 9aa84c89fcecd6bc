import Addresses
import CNetlink

#if canImport(Glibc)
    import Glibc
#endif

extension Rtnetlink {
    /// Lists routes, filtered in the kernel by family, table and protocol where given.
    public func routes(
        family: AddressFamily? = nil, table: UInt32? = nil, protocolNumber: UInt8? = nil
    ) throws -> [Route] {
        var header = rtmsg()
        header.rtm_family = UInt8(family?.kernelValue ?? 0)
        header.rtm_table = UInt8(truncatingIfNeeded: (table ?? 0) < 256 ? (table ?? 0) : 0)
        header.rtm_protocol = protocolNumber ?? 0
        var payload = withUnsafeBytes(of: header) { Array($0) }
        if let table {
            payload += NetlinkAttribute.encode([.u32(UInt16(RTA_TABLE.rawValue), table)])
        }
        let request = NetlinkMessage(
            type: UInt16(RTM_GETROUTE), flags: UInt16(NLM_F_REQUEST | NLM_F_DUMP), payload: payload)
        let replies = try socket.request(request, operation: "list routes", strict: true)
        var routes: [Route] = []
        routes.reserveCapacity(replies.count)
        for reply in replies where reply.type == UInt16(RTM_NEWROUTE) {
            guard let route = Self.parseRoute(reply) else { continue }
            if let family, route.family != family { continue }
            if let table, route.table != table { continue }
            if let protocolNumber, route.protocolNumber != protocolNumber { continue }
            routes.append(route)
        }
        return routes
    }

    /// Adds a route; fails with EEXIST when one with the same key exists.
    public func add(_ route: Route) throws { try apply([.add(route)]).throwFirst() }
    /// Adds or replaces the route with the same key.
    public func replace(_ route: Route) throws { try apply([.replace(route)]).throwFirst() }
    /// Deletes the route with the same key, only if it carries the same protocol.
    public func delete(_ route: Route) throws { try apply([.delete(route)]).throwFirst() }

    /// Applies operations pipelined, many per system call, and reports the ones that failed.
    public func apply(_ operations: [RouteOperation]) -> NetlinkSocket.BatchResult {
        socket.sendBatch(operations.map(RouteMessage.encode)) { operations[$0].description }
    }

    /// Decodes an RTM_NEWROUTE or RTM_DELROUTE message; nil for a malformed one.
    public static func parseRoute(_ message: NetlinkMessage) -> Route? {
        RouteMessage.decode(message)
    }
}

extension NetlinkSocket.BatchResult {
    /// Throws the first failure, for single-operation calls.
    public func throwFirst() throws {
        if let first = failures.min(by: { $0.key < $1.key }) { throw first.value }
        if reportsLost { throw NetlinkError(operation: "netlink batch", errno: ENOBUFS) }
    }
}
