import Addresses
import CNetlink
import Netlink
import Testing

/// Message building without a kernel: attributes, splitting, error reports, and the route
/// encoder checked against libnl's own parser.
@Suite struct MessageTests {
    @Test func attributesRoundTripWithNesting() {
        let attributes: [NetlinkAttribute] = [
            .u8(1, 7), .u16(2, 513), .u32(3, 70_000), .u64(4, 1 << 40), .string(5, "IPVS"),
            .nest(6, [.u32(1, 9), .string(2, "x")]),
        ]
        let parsed = NetlinkAttribute.parse(NetlinkAttribute.encode(attributes)[...])
        #expect(parsed.count == 6)
        #expect(parsed.first(type: 2)?.u16Value == 513)
        #expect(parsed.first(type: 4)?.u64Value == 1 << 40)
        #expect(parsed.first(type: 5)?.stringValue == "IPVS")
        #expect(parsed.first(type: 6)?.nested == true)
        #expect(parsed.first(type: 6)?.children.first(type: 2)?.stringValue == "x")
    }

    @Test func truncatedAttributesStopCleanly() {
        var bytes = NetlinkAttribute.encode([.u32(1, 1), .string(2, "abcdef")])
        bytes.removeLast(5)
        #expect(NetlinkAttribute.parse(bytes[...]).count == 1)
        #expect(NetlinkAttribute.parse([0xFF, 0xFF, 0x01][...]).isEmpty)
    }

    @Test func errorReportCarriesErrnoAndExtendedAckMessage() {
        // NLMSG_ERROR, flags NLM_F_CAPPED | NLM_F_ACK_TLVS, errno -17, echoed header, then NLMSGERR_ATTR_MSG.
        var payload: [UInt8] = withUnsafeBytes(of: Int32(-17)) { Array($0) }
        payload += NetlinkMessage(type: 24, flags: 1, payload: []).bytes
        payload += NetlinkAttribute.encode([.string(1, "File exists")])
        let message = NetlinkMessage(type: 2, flags: 0x300, payload: payload)
        let report = message.errorReport
        #expect(report?.errno == 17)
        #expect(report?.message == "File exists")
    }

    @Test func splitSeparatesMessagesAndIgnoresATruncatedTail() {
        let first = NetlinkMessage(type: 24, flags: 0, payload: [1, 2, 3])
        let second = NetlinkMessage(type: 25, flags: 0, payload: [4, 5, 6, 7])
        var buffer = first.bytes + [0] + second.bytes
        buffer += [0x40, 0, 0, 0, 24, 0]
        let messages = buffer.withUnsafeBytes { NetlinkMessage.split($0) }
        #expect(messages.map(\.type) == [24, 25])
    }

    @Test(arguments: [
        Route(
            destination: try! IPPrefix(parsing: "10.244.1.0/24"), table: 254, protocolNumber: 44,
            nextHops: [NextHop(gateway: IPAddress("192.168.1.11"), linkIndex: 3, onlink: true)]),
        // A VIP's local route with the node's address as source, as kube-router installs it.
        Route(
            destination: try! IPPrefix(parsing: "10.96.0.10/32"), table: Route.localTable, protocolNumber: 2,
            scope: Route.scopeHost, type: Route.typeLocal, nextHops: [NextHop(gateway: nil, linkIndex: 7)],
            preferredSource: IPAddress("192.168.1.10")),
        Route(
            destination: try! IPPrefix(parsing: "10.244.2.0/24"), table: 1000, protocolNumber: 44, metric: 20,
            nextHops: [
                NextHop(gateway: IPAddress("192.168.1.12"), linkIndex: 3, onlink: true, weight: 3),
                NextHop(gateway: IPAddress("192.168.1.13"), linkIndex: 4, onlink: false, weight: 1),
            ]),
        Route(
            destination: try! IPPrefix(parsing: "fd00:10:244:1::/64"), protocolNumber: 44,
            nextHops: [
                NextHop(gateway: IPAddress("fd00:1::11"), linkIndex: 3),
                NextHop(gateway: IPAddress("fd00:1::12"), linkIndex: 3),
            ]),
    ])
    func routeEncoderIsReadBackByLibnlAndByTheDecoder(route: Route) throws {
        let message = RouteMessage.encode(.add(route))
        #expect(try #require(Self.parseWithLibnl(message)) == route)
        #expect(try #require(RouteMessage.decode(message)) == route)
    }

    @Test func decoderRefusesWhatLibnlMishandles() {
        let route = Route(
            destination: try! IPPrefix(parsing: "10.244.2.0/24"), protocolNumber: 44,
            nextHops: [
                NextHop(gateway: IPAddress("10.0.0.1"), linkIndex: 3),
                NextHop(gateway: IPAddress("10.0.0.2"), linkIndex: 3),
            ])
        var message = RouteMessage.encode(.add(route))
        // Shrink the first rtnexthop's length below its header: libnl 3.7 loops forever on this.
        let multipath = message.bytes.indices.dropLast(4).first {
            message.bytes[$0 + 2] == 9 && message.bytes[$0 + 3] == 0
        }!
        message.bytes[multipath + 4] = 4
        #expect(RouteMessage.decode(message) == nil)
        var shortGateway = NetlinkMessage(type: 24, flags: 0, payload: [2, 24, 0, 0, 254, 44, 0, 1, 0, 0, 0, 0])
        shortGateway.bytes += NetlinkAttribute.encode([NetlinkAttribute(type: 5, bytes: [10, 0])])
        shortGateway.length = UInt32(shortGateway.bytes.count)
        #expect(RouteMessage.decode(shortGateway) == nil)
    }

    /// libnl's reading of a route message, as an independent check of the encoder.
    static func parseWithLibnl(_ message: NetlinkMessage) -> Route? {
        var bytes = message.bytes
        return bytes.withUnsafeMutableBytes { raw -> Route? in
            var object: OpaquePointer?
            guard rtnl_route_parse(raw.baseAddress!.assumingMemoryBound(to: nlmsghdr.self), &object) >= 0, let object
            else { return nil }
            defer { rtnl_route_put(object) }
            guard AddressFamily(kernelValue: Int32(rtnl_route_get_family(object))) != nil else { return nil }
            func address(_ pointer: OpaquePointer?) -> IPAddress? {
                guard let pointer, nl_addr_get_len(pointer) > 0 else { return nil }
                return IPAddress(
                    bytes: UnsafeRawBufferPointer(
                        start: nl_addr_get_binary_addr(pointer), count: Int(nl_addr_get_len(pointer))))
            }
            let destination = rtnl_route_get_dst(object)
            let hops = (0..<rtnl_route_get_nnexthops(object)).compactMap { rtnl_route_nexthop_n(object, $0) }.map {
                hop in
                NextHop(
                    gateway: address(rtnl_route_nh_get_gateway(hop)), linkIndex: rtnl_route_nh_get_ifindex(hop),
                    onlink: rtnl_route_nh_get_flags(hop) & UInt32(RTNH_F_ONLINK) != 0,
                    weight: Int(rtnl_route_nh_get_weight(hop)) + 1)
            }
            return Route(
                destination: IPPrefix(address: address(destination)!, length: Int(nl_addr_get_prefixlen(destination))),
                table: rtnl_route_get_table(object), protocolNumber: rtnl_route_get_protocol(object),
                scope: rtnl_route_get_scope(object), metric: rtnl_route_get_priority(object),
                type: rtnl_route_get_type(object),
                nextHops: hops, preferredSource: address(rtnl_route_get_pref_src(object)))
        }
    }
}
