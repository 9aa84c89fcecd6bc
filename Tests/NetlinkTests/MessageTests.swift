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
    func routeEncoderIsReadBackByLibnl(route: Route) throws {
        let parsed = try #require(Rtnetlink.parseRoute(RouteMessage.encode(.add(route))))
        #expect(parsed == route)
    }
}
