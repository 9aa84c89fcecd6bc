import RudderLab
import Testing

@testable import BGP

/// Packing many routes into the fewest UPDATEs of at most 4096 bytes.
@Suite struct UpdatePackerTests {
    let attributes = PathAttributes(origin: .igp, asPath: ASPath(sequence: [65001]), nextHop: BGPAddress("10.0.0.1"))
    let context = WireBytes.external4

    /// 10.x.y.0/24 for i in 0..<count.
    func ipv4Prefixes(_ count: Int) -> [BGPPrefix] {
        (0..<count).map { BGPPrefix(address: BGPAddress(ipv4: 0x0a00_0000 | UInt32($0) << 8), length: 24)! }
    }

    func decodeAll(_ updates: [BGPUpdate]) throws -> [BGPUpdate] {
        try updates.map { update in
            let bytes = update.encode(context: context)
            #expect(bytes.count <= 4096)
            let header = try #require(try BGPMessageHeader.frame(bytes))
            #expect(header.messageLength == bytes.count)
            let outcome = BGPUpdate.decode(body: bytes.dropFirst(19), context: context)
            return try #require(outcome.update.flatMap { outcome == .clean($0) ? $0 : nil })
        }
    }

    @Test func tenThousandIPv4PrefixesPackIntoTenMessages() throws {
        let prefixes = ipv4Prefixes(10_000)
        let updates = BGPUpdatePacker.announcements(
            prefixes, attributes: attributes, ipv6NextHop: nil, context: context)
        // 23 bytes of UPDATE framing + 20 of attributes leave 4053 bytes: 1013 /24s of 4 bytes each.
        #expect(updates.count == 10)
        #expect(updates.map(\.announced.count) == Array(repeating: 1013, count: 9) + [883])
        let decoded = try decodeAll(updates)
        #expect(Set(decoded.flatMap(\.announced)) == Set(prefixes))
        #expect(decoded.allSatisfy { $0.attributes == attributes })

        let withdrawals = BGPUpdatePacker.withdrawals(prefixes, context: context)
        // 4096 - 23 = 4073 bytes: 1018 withdrawals each.
        #expect(withdrawals.count == 10)
        #expect(Set(try decodeAll(withdrawals).flatMap(\.withdrawn)) == Set(prefixes))
    }

    @Test func tenThousandIPv6PrefixesPackIntoMPReach() throws {
        let prefixes = (0..<10_000).map { index in
            BGPPrefix(
                address: BGPAddress(
                    bytes: [0x20, 0x01, 0x0d, 0xb8, UInt8(index >> 8), UInt8(index & 0xff)]
                        + [UInt8](repeating: 0, count: 10))!, length: 64)!
        }
        let nextHop = MultiprotocolNextHop(global: BGPAddress("2001:db8::1")!)
        let updates = BGPUpdatePacker.announcements(
            prefixes, attributes: attributes, ipv6NextHop: nextHop, context: context)
        // 23 + ORIGIN 4 + AS_PATH 9 + MP_REACH 4 + 5 + 16 = 61 bytes leave 4035: 448 /64s of 9 bytes.
        #expect(updates.count == 23)
        #expect(updates.first?.multiprotocolReach?.prefixes.count == 448)
        let decoded = try decodeAll(updates)
        #expect(Set(decoded.flatMap(\.allAnnounced)) == Set(prefixes))
        #expect(decoded.allSatisfy { $0.attributes.nextHop == nil && $0.multiprotocolReach?.nextHop == nextHop })

        let withdrawals = BGPUpdatePacker.withdrawals(prefixes, context: context)
        #expect(Set(try decodeAll(withdrawals).flatMap(\.allWithdrawn)) == Set(prefixes))
        #expect(withdrawals.count == 23)
    }

    @Test func mixedSizesFillMessagesFirstFit() throws {
        // 1,500 /32s (5 bytes) and 1,500 /8s (2 bytes): 10,500 bytes need at least 3 messages.
        let hosts = (0..<1500).map { BGPPrefix(address: BGPAddress(ipv4: 0x0b00_0000 | UInt32($0)), length: 32)! }
        let shorts = (0..<1500).map {
            BGPPrefix(address: BGPAddress(ipv4: UInt32($0 % 200 + 1) << 24), length: 8 + $0 / 200)!
        }
        let updates = BGPUpdatePacker.announcements(
            hosts + shorts, attributes: attributes, ipv6NextHop: nil, context: context)
        #expect(updates.count == 3)
        #expect(Set(try decodeAll(updates).flatMap(\.announced)) == Set(hosts + shorts))
    }
}
