import Addresses
import IPVS
import Netlink
import ServiceProxy
import Testing

/// The IPVS codec without a kernel: the attributes each operation sends (with exact byte layouts
/// where the kernel is particular), decoding of replies built the way the kernel builds them,
/// and refusal of malformed replies.
@Suite struct IPVSMessageTests {
    static let dns = IPVSServiceKey.address(.tcp, IPAddress("10.96.0.10")!, port: 53)
    static let web6 = IPVSServiceKey.address(.udp, IPAddress("fd00::10")!, port: 8443)
    static let mark = IPVSServiceKey.firewallMark(.ipv4, 42)

    // MARK: - Encoding

    @Test func addServiceSendsTheFullServiceNested() throws {
        let service = IPVSVirtualService(key: Self.dns, scheduler: "wrr")
        let message = IPVSMessage.encode(.addService(service))
        #expect(message.command == 1)  // IPVS_CMD_NEW_SERVICE
        #expect(message.version == 1)
        #expect(message.attributes.count == 1)
        let nest = try #require(message.attributes.first(type: 1))  // IPVS_CMD_ATTR_SERVICE
        #expect(nest.nested)
        let attributes = nest.children
        #expect(attributes.map(\.type) == [1, 2, 3, 4, 6, 7, 8, 9])
        #expect(attributes.first(type: 1)?.value == bytes(UInt16(2)))  // AF_INET
        #expect(attributes.first(type: 2)?.value == bytes(UInt16(6)))  // IPPROTO_TCP
        // union nf_inet_addr: the IPv4 address first, zero-padded to 16 bytes.
        #expect(attributes.first(type: 3)?.value == [10, 96, 0, 10] + [UInt8](repeating: 0, count: 12))
        // The port in network byte order.
        #expect(attributes.first(type: 4)?.value == [0x00, 0x35])
        #expect(attributes.first(type: 6)?.value == Array("wrr".utf8) + [0])
        // struct ip_vs_flags: no flags, a full mask.
        #expect(attributes.first(type: 7)?.value == [0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(attributes.first(type: 8)?.value == bytes(UInt32(0)))
        // The IPv4 netmask travels as a __be32: 255.255.255.255.
        #expect(attributes.first(type: 9)?.value == [0xFF, 0xFF, 0xFF, 0xFF])
    }

    @Test func persistenceSetsTheFlagAndTheNetmaskByFamily() throws {
        let v4 = IPVSVirtualService(
            key: Self.dns, scheduler: "rr", flags: [.hashed, .onePacket], persistenceTimeout: 300,
            netmask: 0xFFFF_FF00)
        let v4Attributes = try #require(IPVSMessage.encode(.addService(v4)).attributes.first?.children)
        // persistent (0x1) added for the timeout, hashed (0x2) never sent, onePacket (0x4) kept.
        #expect(v4Attributes.first(type: 7)?.value == [0x05, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(v4Attributes.first(type: 8)?.value == bytes(UInt32(300)))
        #expect(v4Attributes.first(type: 9)?.value == [255, 255, 255, 0])

        let v6 = IPVSVirtualService(
            key: Self.web6, scheduler: "mh", flags: [.persistent, .sched1, .sched2], persistenceTimeout: 0, netmask: 64)
        let v6Attributes = try #require(IPVSMessage.encode(.updateService(v6)).attributes.first?.children)
        #expect(IPVSMessage.encode(.updateService(v6)).command == 2)  // IPVS_CMD_SET_SERVICE
        #expect(v6Attributes.first(type: 1)?.value == bytes(UInt16(10)))  // AF_INET6
        #expect(v6Attributes.first(type: 2)?.value == bytes(UInt16(17)))
        #expect(v6Attributes.first(type: 3)?.value == IPAddress("fd00::10")!.bytes)
        #expect(v6Attributes.first(type: 4)?.value == [0x20, 0xFB])  // 8443
        // No timeout, so no persistence even though the flag was asked for; sched1|sched2 = 0x18.
        #expect(v6Attributes.first(type: 7)?.value == [0x18, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF])
        // The IPv6 "netmask" is a prefix length in host order.
        #expect(v6Attributes.first(type: 9)?.value == bytes(UInt32(64)))
    }

    @Test func deleteServiceSendsOnlyTheIdentityExactly() {
        let message = IPVSMessage.encode(.deleteService(Self.mark))
        let encoded = message.encode(familyID: 0x23, flags: 1)
        // genlmsghdr (cmd 3, version 1), then IPVS_CMD_ATTR_SERVICE (NLA_F_NESTED) holding
        // IPVS_SVC_ATTR_AF = AF_INET and IPVS_SVC_ATTR_FWMARK = 42.
        let expected: [UInt8] = [
            3, 1, 0, 0,
            20, 0, 0x01, 0x80,
            6, 0, 1, 0, 2, 0, 0, 0,
            8, 0, 5, 0, 42, 0, 0, 0,
        ]
        #expect(Array(encoded.payload) == expected)
        #expect(encoded.type == 0x23)
        #expect(encoded.length == UInt32(16 + expected.count))
    }

    @Test func realServerOperationsNameTheServiceAndTheDestination() throws {
        let server = IPVSRealServer(
            address: IPAddress("10.244.1.7")!, port: 8080, forwarding: .tunnel, weight: 5, upperThreshold: 100,
            lowerThreshold: 10)
        let add = IPVSMessage.encode(.addRealServer(Self.dns, server))
        #expect(add.command == 5)  // IPVS_CMD_NEW_DEST
        #expect(add.attributes.map(\.type) == [1, 2])
        let service = try #require(add.attributes.first(type: 1)?.children)
        #expect(service.map(\.type) == [1, 2, 3, 4], "only what identifies the service")
        let destination = try #require(add.attributes.first(type: 2)?.children)
        #expect(destination.map(\.type) == [1, 2, 11, 3, 4, 5, 6])
        #expect(destination.first(type: 1)?.value == [10, 244, 1, 7] + [UInt8](repeating: 0, count: 12))
        #expect(destination.first(type: 2)?.value == [0x1F, 0x90])  // 8080
        #expect(destination.first(type: 11)?.value == bytes(UInt16(2)))
        #expect(destination.first(type: 3)?.value == bytes(UInt32(2)))  // IP_VS_CONN_F_TUNNEL
        #expect(destination.first(type: 4)?.value == bytes(UInt32(5)))
        #expect(destination.first(type: 5)?.value == bytes(UInt32(100)))
        #expect(destination.first(type: 6)?.value == bytes(UInt32(10)))

        #expect(IPVSMessage.encode(.updateRealServer(Self.dns, server)).command == 6)
        let delete = IPVSMessage.encode(
            .deleteRealServer(Self.web6, address: IPAddress("fd00::7")!, port: 80))
        #expect(delete.command == 7)
        let deleted = try #require(delete.attributes.first(type: 2)?.children)
        #expect(deleted.map(\.type) == [1, 2, 11])
        #expect(deleted.first(type: 1)?.value == IPAddress("fd00::7")!.bytes)
        #expect(deleted.first(type: 11)?.value == bytes(UInt16(10)))
    }

    @Test func requestsForDumpsAndTimeouts() throws {
        #expect(IPVSMessage.servicesRequest() == GenericNetlinkMessage(command: 4, version: 1, attributes: []))
        let destinations = IPVSMessage.realServersRequest(of: Self.web6)
        #expect(destinations.command == 8)
        #expect(destinations.attributes.first(type: 1)?.children.map(\.type) == [1, 2, 3, 4])
        #expect(IPVSMessage.serviceRequest(Self.mark).command == 4)
        #expect(IPVSMessage.timeoutsRequest() == GenericNetlinkMessage(command: 13, version: 1, attributes: []))
        let set = IPVSMessage.setTimeoutsRequest(IPVSTimeouts(tcp: 900, tcpFin: 120, udp: 300))
        #expect(set.command == 12)
        #expect(set.attributes == [.u32(4, 900), .u32(5, 120), .u32(6, 300)])
    }

    // MARK: - Decoding

    @Test func decodesAServiceReplyAsTheKernelBuildsIt() throws {
        let reply = Self.kernelServiceReply()
        let service = try #require(IPVSMessage.decodeService(reply))
        #expect(service.key == .address(.udp, IPAddress("10.96.0.11")!, port: 53))
        #expect(service.scheduler == "wrr")
        #expect(service.flags == [.persistent, .hashed])
        #expect(service.persistenceTimeout == 600)
        #expect(service.netmask == 0xFFFF_FF00)
        // The 64-bit statistics win over the 32-bit ones (which here say otherwise).
        #expect(service.statistics?.connections == 5_000_000_000)
        #expect(service.statistics?.incomingBytes == 1 << 40)
        #expect(service.statistics?.outgoingBytesPerSecond == 77)
        // Equal to the service it was created from: hashed and statistics do not count.
        #expect(
            service
                == IPVSVirtualService(
                    key: service.key, scheduler: "wrr", persistenceTimeout: 600, netmask: 0xFFFF_FF00))
    }

    @Test func fallsBackToThe32BitStatistics() throws {
        let reply = Self.kernelServiceReply(include64BitStatistics: false)
        let statistics = try #require(IPVSMessage.decodeService(reply)?.statistics)
        #expect(statistics.connections == 7)
        #expect(statistics.incomingPackets == 8)
        #expect(statistics.incomingBytes == 1 << 33)
        #expect(statistics.outgoingBytesPerSecond == 3)
    }

    @Test func decodesFirewallMarkAndIPv6Services() throws {
        let markReply = Self.reply(
            command: 1,
            nest: [.u16(1, 10), .u32(5, 42), .string(6, "rr"), flags(0x2), .u32(8, 0), .u32(9, 128)])
        let mark = try #require(IPVSMessage.decodeService(markReply))
        #expect(mark.key == .firewallMark(.ipv6, 42))
        #expect(mark.netmask == 128)
        #expect(mark.statistics == nil)

        let v6Reply = Self.reply(
            command: 1,
            nest: [
                .u16(1, 10), .u16(2, 132), raw(3, IPAddress("fd00::1:2")!.bytes), raw(4, [0x96, 0x4C]),
                .string(6, "mh"), flags(0x1A), .u32(8, 0), .u32(9, 64),
            ])
        let v6 = try #require(IPVSMessage.decodeService(v6Reply))
        #expect(v6.key == .address(.sctp, IPAddress("fd00::1:2")!, port: 38_476))
        #expect(v6.flags == [.hashed, .sched1, .sched2])
        #expect(v6.netmask == 64)
    }

    @Test func decodesARealServerReply() throws {
        let reply = Self.reply(
            command: 5, nestType: 2,
            nest: [
                raw(1, [10, 0, 0, 9] + [UInt8](repeating: 0, count: 12)), raw(2, [0x1F, 0x90]), .u32(3, 2),
                .u32(4, 3), .u8(13, 0), raw(14, [0, 0]), .u16(15, 0), .u32(5, 100), .u32(6, 10), .u32(7, 4),
                .u32(8, 6), .u32(9, 1), .u16(11, 2),
                nest(10, Self.statistics32(connections: 9)), nest(12, Self.statistics64(connections: 9)),
            ])
        // An IPv4 tunnel server of an IPv6 service: the server's own family attribute decides.
        let observed = try #require(IPVSMessage.decodeRealServer(reply, serviceFamily: .ipv6))
        #expect(
            observed.server
                == IPVSRealServer(
                    address: IPAddress("10.0.0.9")!, port: 8080, forwarding: .tunnel, weight: 3, upperThreshold: 100,
                    lowerThreshold: 10))
        #expect(observed.activeConnections == 4)
        #expect(observed.inactiveConnections == 6)
        #expect(observed.persistentConnections == 1)
        #expect(observed.statistics.connections == 9)
    }

    @Test func realServerWithoutItsFamilyTakesTheServices() throws {
        let reply = Self.reply(
            command: 5, nestType: 2,
            nest: [
                raw(1, IPAddress("fd00::5")!.bytes), raw(2, [0, 80]), .u32(3, 0), .u32(4, 1), .u32(5, 0), .u32(6, 0),
            ])
        let observed = try #require(IPVSMessage.decodeRealServer(reply, serviceFamily: .ipv6))
        #expect(observed.server.address == IPAddress("fd00::5"))
        #expect(observed.statistics == .zero)
    }

    @Test func decodesTimeouts() {
        let reply = Self.reply(command: 12, attributes: [.u32(4, 900), .u32(5, 120), .u32(6, 300)])
        #expect(IPVSMessage.decodeTimeouts(reply) == IPVSTimeouts(tcp: 900, tcpFin: 120, udp: 300))
        let wrongSize = Self.reply(command: 12, attributes: [.u32(4, 900), .u16(5, 120), .u32(6, 300)])
        #expect(IPVSMessage.decodeTimeouts(wrongSize) == nil)
    }

    @Test(arguments: [
        IPVSVirtualService(key: dns, scheduler: "rr"),
        IPVSVirtualService(key: web6, scheduler: "mh", flags: [.sched1, .sched2], persistenceTimeout: 30, netmask: 64),
        IPVSVirtualService(key: mark, scheduler: "dh", flags: [.onePacket]),
        IPVSVirtualService(key: .firewallMark(.ipv6, 7), scheduler: "sh", flags: [.fallback, .hashPort]),
        IPVSVirtualService(
            key: .address(.sctp, IPAddress("10.0.0.1")!, port: 65535), scheduler: "lc", persistenceTimeout: 1,
            netmask: 0xFFFF_0000),
    ])
    func encodedServicesDecodeToThemselves(service: IPVSVirtualService) throws {
        // An add request has the same command and layout as a dump reply, less the statistics.
        let decoded = try #require(
            IPVSMessage.decodeService(
                IPVSMessage.encode(.addService(service)).encode(
                    familyID: 0x23, flags: 2)))
        #expect(decoded == service)
        #expect(decoded.effectiveFlags == service.effectiveFlags)
        #expect(decoded.netmask == service.netmask)
    }

    @Test func encodedRealServersDecodeToThemselves() throws {
        let servers = [
            IPVSRealServer(address: IPAddress("10.1.2.3")!, port: 53),
            IPVSRealServer(address: IPAddress("fd00::9")!, port: 0, forwarding: .directRoute, weight: 0),
            IPVSRealServer(
                address: IPAddress("192.0.2.1")!, port: 1, forwarding: .tunnel, weight: .max, upperThreshold: .max,
                lowerThreshold: 1),
        ]
        for server in servers {
            let request = IPVSMessage.encode(.addRealServer(Self.web6, server)).encode(familyID: 0x23, flags: 2)
            let decoded = try #require(IPVSMessage.decodeRealServer(request, serviceFamily: .ipv6))
            #expect(decoded.server == server)
        }
    }

    // MARK: - Malformed replies

    @Test func malformedServiceRepliesDecodeToNil() {
        let good: [NetlinkAttribute] = [
            .u16(1, 2), .u16(2, 6), raw(3, [10, 0, 0, 1] + [UInt8](repeating: 0, count: 12)), raw(4, [0, 80]),
            .string(6, "rr"), flags(0x2), .u32(8, 0), .u32(9, 0xFFFF_FFFF),
        ]
        #expect(IPVSMessage.decodeService(Self.reply(command: 1, nest: good)) != nil)
        func replacing(_ type: UInt16, with attribute: NetlinkAttribute?) -> NetlinkMessage {
            var attributes = good.filter { $0.type != type }
            if let attribute { attributes.append(attribute) }
            return Self.reply(command: 1, nest: attributes)
        }
        let cases: [(String, NetlinkMessage)] = [
            ("short address", replacing(3, with: raw(3, [10, 0, 0, 1]))),
            ("long address", replacing(3, with: raw(3, [UInt8](repeating: 1, count: 20)))),
            ("port of four bytes", replacing(4, with: .u32(4, 80))),
            ("timeout of two bytes", replacing(8, with: .u16(8, 30))),
            ("netmask of eight bytes", replacing(9, with: .u64(9, 0))),
            ("flags without their mask", replacing(7, with: .u32(7, 2))),
            ("family of one byte", replacing(1, with: .u8(1, 2))),
            ("unknown family", replacing(1, with: .u16(1, 7))),
            ("scheduler without NUL", replacing(6, with: raw(6, Array("rr".utf8)))),
            ("no scheduler", replacing(6, with: nil)),
            ("no port", replacing(4, with: nil)),
            ("firewall mark 0", replacing(3, with: .u32(5, 0))),
            ("unknown protocol", replacing(2, with: .u16(2, 50))),
            ("64-bit statistics holding a u32", replacing(12, with: nest(12, [.u32(1, 1)]))),
            ("32-bit statistics holding a u64 packet count", replacing(10, with: nest(10, [.u64(2, 1)]))),
            ("statistics nest with a bad inner length", replacing(10, with: raw(10, [12, 0, 1, 0, 1, 0, 0, 0]))),
            ("trailing bytes in the nest", Self.growingNest(Self.reply(command: 1, nest: good), by: [0xAA, 0xBB])),
            ("wrong command", Self.reply(command: 5, nest: good)),
            ("nest in the wrong attribute", Self.reply(command: 1, nestType: 2, nest: good)),
        ]
        for (name, message) in cases {
            #expect(IPVSMessage.decodeService(message) == nil, "\(name)")
        }
    }

    @Test func truncatedRepliesDecodeToNil() {
        let reply = Self.kernelServiceReply()
        #expect(IPVSMessage.decodeService(reply) != nil)
        // Every shorter nlmsg_len cuts into the nest, whose own length then overruns the message.
        for length in 0..<reply.bytes.count {
            var truncated = reply
            truncated.bytes.removeLast(reply.bytes.count - length)
            if length >= 4 { truncated.length = UInt32(length) }
            #expect(IPVSMessage.decodeService(truncated) == nil, "nlmsg_len \(length)")
            // The header still claiming the full length must not read past the bytes either.
            var lying = reply
            lying.bytes.removeLast(reply.bytes.count - max(length, 16))
            #expect(IPVSMessage.decodeService(lying) == nil, "bytes \(length)")
        }
        // A nest that claims more than the message holds, and one whose last attribute overruns it.
        #expect(IPVSMessage.decodeService(Self.settingNestLength(of: reply, to: reply.bytes.count - 16)) == nil)
        #expect(IPVSMessage.decodeService(Self.settingNestLength(of: reply, to: reply.bytes.count - 24)) == nil)
    }

    @Test func malformedRealServerRepliesDecodeToNil() {
        let good: [NetlinkAttribute] = [
            raw(1, [10, 0, 0, 9] + [UInt8](repeating: 0, count: 12)), raw(2, [0, 80]), .u32(3, 0), .u32(4, 1),
            .u32(5, 0), .u32(6, 0),
        ]
        #expect(
            IPVSMessage.decodeRealServer(Self.reply(command: 5, nestType: 2, nest: good), serviceFamily: .ipv4) != nil)
        let cases: [(String, [NetlinkAttribute])] = [
            ("short address", good.filter { $0.type != 1 } + [raw(1, [10, 0, 0, 9])]),
            ("weight of two bytes", good.filter { $0.type != 4 } + [.u16(4, 1)]),
            ("no weight", good.filter { $0.type != 4 }),
            ("bypass forwarding", good.filter { $0.type != 3 } + [.u32(3, 4)]),
            ("active connections of eight bytes", good + [.u64(7, 1)]),
            ("tunnel type of four bytes", good + [.u32(13, 0)]),
            ("family of four bytes", good + [.u32(11, 2)]),
        ]
        for (name, attributes) in cases {
            let reply = Self.reply(command: 5, nestType: 2, nest: attributes)
            #expect(IPVSMessage.decodeRealServer(reply, serviceFamily: .ipv4) == nil, "\(name)")
        }
    }

    // MARK: - Values

    @Test func keysDescribeThemselvesLikeIpvsadmAndSort() {
        #expect(Self.dns.description == "TCP 10.96.0.10:53")
        #expect(Self.web6.description == "UDP [fd00::10]:8443")
        #expect(Self.mark.description == "FWM 42 IPv4")
        #expect(IPVSServiceKey.firewallMark(.ipv6, 7).description == "FWM 7 IPv6")
        let keys: [IPVSServiceKey] = [
            .firewallMark(.ipv6, 1), Self.mark, Self.web6, .address(.udp, IPAddress("10.96.0.10")!, port: 53), Self.dns,
        ]
        #expect(
            keys.sorted() == [
                Self.dns, .address(.udp, IPAddress("10.96.0.10")!, port: 53), Self.web6, Self.mark,
                .firewallMark(.ipv6, 1),
            ])
    }

    @Test func operationsNameTheirObject() {
        let server = IPVSRealServer(address: IPAddress("fd00::7")!, port: 80)
        #expect(
            IPVSOperation.addService(IPVSVirtualService(key: Self.dns)).description
                == "add IPVS service TCP 10.96.0.10:53 rr")
        #expect(IPVSOperation.deleteService(Self.mark).description == "delete IPVS service FWM 42 IPv4")
        #expect(
            IPVSOperation.addRealServer(Self.web6, server).description
                == "add IPVS real server [fd00::7]:80 Masq weight 1 to UDP [fd00::10]:8443")
        #expect(
            IPVSOperation.deleteRealServer(Self.dns, address: IPAddress("10.0.0.1")!, port: 53).description
                == "delete IPVS real server 10.0.0.1:53 from TCP 10.96.0.10:53")
    }

    @Test func servicesCompareByConfigurationOnly() {
        let wanted = IPVSVirtualService(key: Self.dns, scheduler: "sh", flags: [.sched1], persistenceTimeout: 60)
        var seen = wanted
        seen.flags = [.sched1, .persistent, .hashed]
        seen.statistics = IPVSStatistics(connections: 3)
        #expect(seen == wanted)
        #expect(seen.hashValue == wanted.hashValue)
        var changed = seen
        changed.scheduler = "mh"
        #expect(changed != wanted)
        #expect(IPVSVirtualService(key: Self.web6).netmask == 128)
        #expect(IPVSVirtualService(key: Self.dns).netmask == 0xFFFF_FFFF)
    }

    // MARK: - Building replies

    /// A service reply laid out as ip_vs_genl_fill_service does: no NLA_F_NESTED, PAD attributes
    /// in the statistics, both statistics nests.
    static func kernelServiceReply(include64BitStatistics: Bool = true) -> NetlinkMessage {
        var attributes: [NetlinkAttribute] = [
            .u16(1, 2), .u16(2, 17), raw(3, [10, 96, 0, 11] + [UInt8](repeating: 0, count: 12)), raw(4, [0, 53]),
            .string(6, "wrr"), flags(0x3), .u32(8, 600), raw(9, [255, 255, 255, 0]),
            nest(10, statistics32(connections: 7)),
        ]
        if include64BitStatistics { attributes.append(nest(12, statistics64(connections: 5_000_000_000))) }
        return reply(command: 1, nest: attributes)
    }

    static func statistics32(connections: UInt32) -> [NetlinkAttribute] {
        [
            .u32(1, connections), .u32(2, 8), .u32(3, 9), raw(11, []), .u64(4, 1 << 33), raw(11, []),
            .u64(5, 1 << 34), .u32(6, 1), .u32(7, 1), .u32(8, 2), .u32(9, 2), .u32(10, 3),
        ]
    }

    static func statistics64(connections: UInt64) -> [NetlinkAttribute] {
        [.u64(1, connections), .u64(2, 8), .u64(3, 9), .u64(4, 1 << 40), .u64(5, 1 << 41)]
            + (6...10).map { .u64(UInt16($0), UInt64($0) * 7 + 7) }
    }

    static func reply(command: UInt8, nestType: UInt16 = 1, nest children: [NetlinkAttribute]) -> NetlinkMessage {
        reply(command: command, attributes: [nest(nestType, children)])
    }

    static func reply(command: UInt8, attributes: [NetlinkAttribute]) -> NetlinkMessage {
        GenericNetlinkMessage(command: command, version: 1, attributes: attributes).encode(familyID: 0x23, flags: 2)
    }

    /// The message with its first attribute's length field (the nest, at offset 20) overwritten.
    static func settingNestLength(of message: NetlinkMessage, to length: Int) -> NetlinkMessage {
        var result = message
        result.bytes[20] = UInt8(length & 0xFF)
        result.bytes[21] = UInt8(length >> 8)
        return result
    }

    /// Appends bytes inside the nest, growing both lengths, where a strict reader must refuse them.
    static func growingNest(_ message: NetlinkMessage, by extra: [UInt8]) -> NetlinkMessage {
        var result = NetlinkMessage(bytes: message.bytes + extra)
        result.length = UInt32(result.bytes.count)
        return settingNestLength(of: result, to: result.bytes.count - 20)
    }
}

/// A value's bytes in host order.
private func bytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value) { Array($0) } }

/// An attribute with raw bytes, as the kernel's nla_put writes it.
private func raw(_ type: UInt16, _ value: [UInt8]) -> NetlinkAttribute { NetlinkAttribute(type: type, bytes: value) }

/// A nest without NLA_F_NESTED, as the kernel's nla_nest_start_noflag writes it.
private func nest(_ type: UInt16, _ children: [NetlinkAttribute]) -> NetlinkAttribute {
    NetlinkAttribute(type: type, bytes: NetlinkAttribute.encode(children))
}

/// IPVS_SVC_ATTR_FLAGS as the kernel fills it: the flags and a full mask.
private func flags(_ value: UInt32) -> NetlinkAttribute { raw(7, bytes(value) + bytes(UInt32.max)) }
