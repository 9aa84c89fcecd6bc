import RudderLab
import Testing

@testable import BGP

/// Good UPDATEs: every attribute decoded, encoded byte for byte, the RFC 6793 AS4 merge both
/// ways, IPv6 through MP_REACH_NLRI, and End-of-RIB markers.
@Suite struct UpdateTests {
    static let fullAttributes: [[UInt8]] = [
        WireBytes.attribute(0x40, 1, [0]),
        WireBytes.attribute(0x40, 2, WireBytes.hex("02 03 0000fde9 0000fdea fa56ea01")),
        WireBytes.attribute(0x40, 3, WireBytes.hex("0a000001")),
        WireBytes.attribute(0x80, 4, WireBytes.hex("00000064")),
        WireBytes.attribute(0x40, 5, WireBytes.hex("000000c8")),
        WireBytes.attribute(0x40, 6, []),
        WireBytes.attribute(0xc0, 7, WireBytes.hex("0000fde9 0a000001")),
        WireBytes.attribute(0xc0, 8, WireBytes.hex("fde90064 ffffff01")),
        WireBytes.attribute(0x80, 9, WireBytes.hex("0a000002")),
        WireBytes.attribute(0x80, 10, WireBytes.hex("0a000003 0a000004")),
        WireBytes.attribute(0xc0, 32, WireBytes.hex("fa56ea01 00000001 00000002")),
    ]

    @Test func everyAttributeDecodesAndEncodesByteForByte() throws {
        let body = WireBytes.updateBody(
            withdrawn: WireBytes.hex("18 c0a801"), attributes: Self.fullAttributes,
            nlri: WireBytes.hex("18 0a0100 10 0a02"))
        let message = WireBytes.message(type: 2, body: body)
        let received = try BGPMessage.decode(message[...], context: WireBytes.internal4)
        guard case .update(.clean(let update)) = received else {
            Issue.record("decoded \(received)")
            return
        }
        let attributes = update.attributes
        #expect(update.withdrawn == [BGPPrefix("192.168.1.0/24")!])
        #expect(update.announced == [BGPPrefix("10.1.0.0/24")!, BGPPrefix("10.2.0.0/16")!])
        #expect(attributes.origin == .igp)
        #expect(attributes.asPath == ASPath(sequence: [65001, 65002, 4_200_000_001]))
        #expect(attributes.asPath?.description == "65001 65002 4200000001")
        #expect(attributes.nextHop == BGPAddress("10.0.0.1"))
        #expect(attributes.multiExitDiscriminator == 100)
        #expect(attributes.localPreference == 200)
        #expect(attributes.atomicAggregate)
        #expect(attributes.aggregator == Aggregator(autonomousSystem: 65001, address: BGPAddress("10.0.0.1")!))
        #expect(attributes.communities == [BGPCommunity(asn: 65001, value: 100), .noExport])
        #expect(attributes.communities.map(\.description) == ["65001:100", "no-export"])
        #expect(attributes.originatorID == 0x0a00_0002)
        #expect(attributes.clusterList == [0x0a00_0003, 0x0a00_0004])
        #expect(attributes.largeCommunities == [LargeCommunity(4_200_000_001, 1, 2)])
        #expect(update.encode(context: WireBytes.internal4) == message)
    }

    @Test func ipv6RoutesTravelInMPReachWithALinkLocalNextHop() throws {
        let reach = WireBytes.attribute(
            0x80, 14,
            WireBytes.hex(
                "0002 01 20 20010db8000000000000000000000001 fe800000000000000000000000000001 00 40 20010db800010000"))
        let body = WireBytes.updateBody(
            attributes: [reach, WireBytes.origin, WireBytes.attribute(0x40, 2, WireBytes.hex("02 01 0000fde9"))])
        let update = try #require(WireBytes.decode(body).update)
        #expect(WireBytes.decode(body) == .clean(update))
        let mpReach = try #require(update.multiprotocolReach)
        #expect(mpReach.family == .ipv6Unicast)
        #expect(mpReach.nextHop.description == "2001:db8::1 (fe80::1)")
        #expect(mpReach.prefixes == [BGPPrefix("2001:db8:1::/64")!])
        #expect(update.attributes.nextHop == nil)
        #expect(update.encode(context: WireBytes.internal4) == WireBytes.message(type: 2, body: body))
    }

    @Test func unknownOptionalTransitiveAttributesPassOnWithPartialSet() throws {
        let extendedCommunity = WireBytes.attribute(0xc0, 16, WireBytes.hex("0002fde9 00000001"))
        let ignored = WireBytes.attribute(0x80, 99, [1, 2])
        let body = WireBytes.updateBody(
            attributes: [WireBytes.origin, WireBytes.asPath4, WireBytes.nextHop, extendedCommunity, ignored],
            nlri: WireBytes.nlri)
        let update = try #require(WireBytes.decode(body).update)
        #expect(WireBytes.decode(body) == .clean(update))
        #expect(
            update.attributes.unknown == [
                UnknownAttribute(flags: 0xe0, typeCode: 16, value: WireBytes.hex("0002fde9 00000001"))
            ])
        let encoded = update.encode(context: WireBytes.internal4)
        let expected = WireBytes.updateBody(
            attributes: [
                WireBytes.origin, WireBytes.asPath4, WireBytes.nextHop,
                WireBytes.attribute(0xe0, 16, WireBytes.hex("0002fde9 00000001")),
            ], nlri: WireBytes.nlri)
        #expect(encoded == WireBytes.message(type: 2, body: expected))
    }

    @Test func extendedLengthIsReadAndUsedForLongValues() throws {
        let communities = (0..<75).map { BGPCommunity(asn: 65001, value: UInt16($0)) }
        let update = BGPUpdate(
            attributes: PathAttributes(
                origin: .igp, asPath: ASPath(sequence: [65001]), nextHop: BGPAddress("10.0.0.1"),
                communities: communities),
            announced: [BGPPrefix("10.1.0.0/24")!])
        let bytes = update.encode(context: WireBytes.internal4)
        let header: [UInt8] = [0xd0, 8, 0x01, 0x2c]
        #expect(bytes.indices.contains { Array(bytes[$0..<min($0 + 4, bytes.count)]) == header })
        #expect(WireBytes.decode(Array(bytes.dropFirst(19))) == .clean(update))
        // A short value may also come with a 2-byte length.
        let body = WireBytes.updateBody(
            attributes: [WireBytes.attribute(0x40, 1, [2], extended: true), WireBytes.asPath4, WireBytes.nextHop],
            nlri: WireBytes.nlri)
        #expect(WireBytes.decode(body).update?.attributes.origin == .incomplete)
    }

    @Test func aTwoOctetPeersPathIsMergedWithAS4Path() throws {
        let body = WireBytes.updateBody(
            attributes: [
                WireBytes.origin,
                WireBytes.attribute(0x40, 2, WireBytes.hex("02 03 fde9 5ba0 5ba0")),
                WireBytes.nextHop,
                WireBytes.attribute(0xc0, 7, WireBytes.hex("5ba0 0a000001")),
                WireBytes.attribute(0xc0, 17, WireBytes.hex("02 02 fa56ea01 fa56ea02")),
                WireBytes.attribute(0xc0, 18, WireBytes.hex("fa56ea01 0a000001")),
            ], nlri: WireBytes.nlri)
        let outcome = WireBytes.decode(body, WireBytes.internal2)
        let update = try #require(outcome.update)
        #expect(outcome == .clean(update))
        #expect(update.attributes.asPath?.description == "65001 4200000001 4200000002")
        #expect(update.attributes.aggregator?.autonomousSystem == 4_200_000_001)
        // Encoded again for a 2-octet peer and for a 4-octet one, it decodes to the same path.
        for context in [WireBytes.internal2, WireBytes.internal4] {
            let again = WireBytes.decode(Array(update.encode(context: context).dropFirst(19)), context)
            #expect(again == .clean(update))
        }
    }

    @Test func encodingForATwoOctetPeerSubstitutesASTrans() throws {
        let attributes = PathAttributes(
            origin: .igp, asPath: ASPath(sequence: [65001, 4_200_000_001]), nextHop: BGPAddress("10.0.0.1"))
        let bytes = BGPUpdate(attributes: attributes).encode(context: WireBytes.internal2)
        let expected = WireBytes.updateBody(attributes: [
            WireBytes.origin,
            WireBytes.attribute(0x40, 2, WireBytes.hex("02 02 fde9 5ba0")),
            WireBytes.nextHop,
            WireBytes.attribute(0xc0, 17, WireBytes.hex("02 02 0000fde9 fa56ea01")),
        ])
        #expect(bytes == WireBytes.message(type: 2, body: expected))
    }

    @Test func as4PathIsIgnoredWhenAnOldSpeakerAggregated() throws {
        let body = WireBytes.updateBody(
            attributes: [
                WireBytes.origin,
                WireBytes.attribute(0x40, 2, WireBytes.hex("02 02 fde9 5ba0")),
                WireBytes.nextHop,
                WireBytes.attribute(0xc0, 7, WireBytes.hex("fdea 0a000001")),
                WireBytes.attribute(0xc0, 17, WireBytes.hex("02 01 fa56ea01")),
            ], nlri: WireBytes.nlri)
        guard case .attributesDiscarded(let update, let problems) = WireBytes.decode(body, WireBytes.internal2) else {
            Issue.record("not attribute discard")
            return
        }
        #expect(update.attributes.asPath == ASPath(sequence: [65001, 23456]))
        #expect(problems.map(\.typeCode) == [17])
        // A 4-octet peer must not send AS4_PATH at all.
        let fourOctet = WireBytes.updateBody(
            attributes: [
                WireBytes.origin, WireBytes.asPath4, WireBytes.nextHop,
                WireBytes.attribute(0xc0, 17, WireBytes.hex("02 01 fa56ea01")),
            ], nlri: WireBytes.nlri)
        #expect(WireBytes.decode(fourOctet).problems.map(\.action) == [.attributeDiscard])
    }

    @Test func endOfRIBMarkersAreRecognised() throws {
        let ipv4 = WireBytes.decode(WireBytes.hex("0000 0000"))
        #expect(ipv4.update?.endOfRIB == .ipv4Unicast)
        let ipv6Body = WireBytes.updateBody(attributes: [WireBytes.attribute(0x80, 15, WireBytes.hex("0002 01"))])
        #expect(WireBytes.decode(ipv6Body).update?.endOfRIB == .ipv6Unicast)
        #expect(
            BGPUpdate.endOfRIB(.ipv6Unicast).encode(context: WireBytes.internal4)
                == WireBytes.message(type: 2, body: ipv6Body))
        #expect(
            BGPUpdate.endOfRIB(.ipv4Unicast).encode(context: WireBytes.internal4)
                == WireBytes.message(type: 2, body: [0, 0, 0, 0]))
        // Other families' End-of-RIB is kept although their routes are not read.
        let vpn = WireBytes.updateBody(attributes: [WireBytes.attribute(0x80, 15, WireBytes.hex("0001 80"))])
        #expect(WireBytes.decode(vpn).update?.endOfRIB == AFISAFI(afi: .ipv4, safi: SAFI(rawValue: 128)))
        let withdrawal = WireBytes.decode(WireBytes.updateBody(withdrawn: WireBytes.nlri, attributes: []))
        #expect(withdrawal.update?.endOfRIB == nil)
    }
}
