import CNetlink

#if canImport(Glibc)
    import Glibc
#endif

extension Rtnetlink {
    /// Lists routes, filtered in the kernel by family, table and protocol where given.
    public func routes(family: AddressFamily? = nil, table: UInt32? = nil, protocolNumber: UInt8? = nil) throws -> [Route] {
        var header = rtmsg()
        header.rtm_family = UInt8(family?.kernelValue ?? 0)
        header.rtm_table = UInt8(truncatingIfNeeded: (table ?? 0) < 256 ? (table ?? 0) : 0)
        header.rtm_protocol = protocolNumber ?? 0
        var payload = withUnsafeBytes(of: header) { Array($0) }
        if let table {
            payload += NetlinkAttribute.encode([.u32(UInt16(RTA_TABLE.rawValue), table)])
        }
        let request = NetlinkMessage(type: UInt16(RTM_GETROUTE), flags: UInt16(NLM_F_REQUEST | NLM_F_DUMP), payload: payload)
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
    public func apply(_ operations: [RouteOperation]) throws -> NetlinkSocket.BatchResult {
        var requests: [NetlinkSocket.Request] = []
        requests.reserveCapacity(operations.count)
        for operation in operations {
            requests.append(.init(message: try Self.message(for: operation), operation: operation.description))
        }
        return socket.sendBatch(requests)
    }

    /// Builds the netlink request for an operation with libnl's route object.
    static func message(for operation: RouteOperation) throws -> NetlinkMessage {
        let route = operation.route
        guard let object = rtnl_route_alloc() else { throw NetlinkError(operation: operation.description, errno: ENOMEM) }
        defer { rtnl_route_put(object) }
        rtnl_route_set_family(object, UInt8(route.family.kernelValue))
        let destination = NLAddress.make(route.destination.address, prefixLength: route.destination.length)
        _ = rtnl_route_set_dst(object, destination)
        nl_addr_put(destination)
        rtnl_route_set_table(object, route.table)
        rtnl_route_set_protocol(object, route.protocolNumber)
        rtnl_route_set_priority(object, route.metric)
        rtnl_route_set_type(object, route.type)
        var flags: Int32 = 0
        switch operation {
        case .add: flags = NLM_F_CREATE | NLM_F_EXCL
        case .replace: flags = NLM_F_CREATE | NLM_F_REPLACE
        case .delete: break
        }
        if case .delete = operation {
            // RT_SCOPE_NOWHERE matches any scope; the protocol makes the kernel refuse to
            // delete a route that someone else installed under the same key.
            rtnl_route_set_scope(object, 255)
        } else {
            rtnl_route_set_scope(object, route.scope)
            for hop in route.nextHops {
                guard let nexthop = rtnl_route_nh_alloc() else { throw NetlinkError(operation: operation.description, errno: ENOMEM) }
                if let gateway = hop.gateway {
                    let address = NLAddress.make(gateway, prefixLength: gateway.family.bitWidth)
                    rtnl_route_nh_set_gateway(nexthop, address)
                    nl_addr_put(address)
                }
                if hop.linkIndex != 0 { rtnl_route_nh_set_ifindex(nexthop, hop.linkIndex) }
                if hop.onlink { rtnl_route_nh_set_flags(nexthop, UInt32(RTNH_F_ONLINK)) }
                // libnl passes the weight through as rtnh_hops, which the kernel reads as weight - 1.
                rtnl_route_nh_set_weight(nexthop, UInt8(clamping: max(hop.weight, 1) - 1))
                rtnl_route_add_nexthop(object, nexthop)
            }
        }
        var built: OpaquePointer?
        let code =
            if case .delete = operation {
                rtnl_route_build_del_request(object, flags, &built)
            } else {
                rtnl_route_build_add_request(object, flags, &built)
            }
        try NetlinkError.check(code, operation.description)
        defer { nlmsg_free(built) }
        let header = nlmsg_hdr(built)!
        let bytes = UnsafeRawBufferPointer(start: header, count: Int(header.pointee.nlmsg_len))
        return NetlinkMessage(bytes: Array(bytes))
    }

    /// Parses an RTM_NEWROUTE or RTM_DELROUTE message with libnl; nil for what Rudder cannot model.
    public static func parseRoute(_ message: NetlinkMessage) -> Route? {
        var bytes = message.bytes
        return bytes.withUnsafeMutableBytes { raw -> Route? in
            var object: OpaquePointer?
            let header = raw.baseAddress!.assumingMemoryBound(to: nlmsghdr.self)
            guard rtnl_route_parse(header, &object) >= 0, let object else { return nil }
            defer { rtnl_route_put(object) }
            return route(from: object)
        }
    }

    /// Converts a libnl route object.
    static func route(from object: OpaquePointer) -> Route? {
        guard let family = AddressFamily(kernelValue: Int32(rtnl_route_get_family(object))) else { return nil }
        let destination = NLAddress.prefix(rtnl_route_get_dst(object), family: family)
        var hops: [NextHop] = []
        let count = rtnl_route_get_nnexthops(object)
        for index in 0..<count {
            guard let nexthop = rtnl_route_nexthop_n(object, index) else { continue }
            hops.append(
                NextHop(
                    gateway: NLAddress.address(rtnl_route_nh_get_gateway(nexthop)),
                    linkIndex: rtnl_route_nh_get_ifindex(nexthop),
                    onlink: rtnl_route_nh_get_flags(nexthop) & UInt32(RTNH_F_ONLINK) != 0,
                    weight: Int(rtnl_route_nh_get_weight(nexthop)) + 1))
        }
        return Route(
            destination: destination, table: rtnl_route_get_table(object), protocolNumber: rtnl_route_get_protocol(object),
            scope: rtnl_route_get_scope(object), metric: rtnl_route_get_priority(object), type: rtnl_route_get_type(object),
            nextHops: hops)
    }
}

extension NetlinkSocket.BatchResult {
    /// Throws the first failure, for single-operation calls.
    public func throwFirst() throws {
        if let first = failures.min(by: { $0.key < $1.key }) { throw first.value }
        if reportsLost { throw NetlinkError(operation: "netlink batch", errno: ENOBUFS) }
    }
}
