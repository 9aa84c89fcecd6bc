import Testing

@testable import BGP

/// Interning: one copy of each distinct attribute set, dropped with its last route.
@Suite struct AttributeTableTests {
    typealias R = RIBFixtures

    @Test func identicalSetsAreOneInstanceAndDistinctOnesAreNot() {
        var table = AttributeTable()
        let first = table.intern(R.attributes())
        let second = table.intern(R.attributes())
        let other = table.intern(R.attributes(med: 5))
        #expect(first === second)
        #expect(first !== other)
        #expect(table.count == 2)
        #expect(table.references(to: first) == 2)
        table.release(first)
        table.release(second)
        #expect(table.count == 1)
        #expect(table.references(to: first) == 0)
        let again = table.intern(R.attributes())
        #expect(again !== first, "a released set is gone, so interning makes a new one")
        #expect(table.count == 2)
    }

    @Test func aHundredThousandPrefixesWithOneAttributeSetHoldOneCopy() throws {
        var rib = R.rib()
        let peer = R.external("10.0.0.2")
        rib.peerUp(peer, importPolicy: .acceptAll)
        let prefixes = (0..<100_000).map {
            BGPPrefix(address: BGPAddress(ipv4: 0x0a00_0000 + UInt32($0) << 8), length: 24)!
        }
        let summary = rib.apply(BGPUpdate(attributes: R.attributes(), announced: prefixes), from: peer.address)
        #expect(summary.accepted == 100_000)
        #expect(summary.changes.count == 100_000)
        #expect(rib.attributeTable.count == 1)
        #expect(rib.routeCount(from: peer.address) == 100_000)
        let received = rib.routes(from: peer.address)
        let shared = try #require(received.first?.attributes)
        #expect(received.count == 100_000 && received.allSatisfy { $0.attributes === shared })
        #expect(rib.bestRoutes.allSatisfy { $0.attributes === shared })
        #expect(rib.attributeTable.references(to: shared) == 100_000)

        let withdrawal = rib.apply(BGPUpdate(withdrawn: prefixes), from: peer.address)
        #expect(withdrawal.changes.count == 100_000)
        #expect(rib.attributeTable.count == 0)
        #expect(rib.prefixCount == 0)
    }

    @Test func anotherTablesSetIsNotCounted() {
        let table = AttributeTable()
        var other = AttributeTable()
        let foreign = other.intern(R.attributes())
        #expect(table.references(to: foreign) == 0)
    }
}
