import RudderLab
import Testing

@testable import BGP

/// RFC 7606 revised error handling, attribute by attribute: which approach each malformation gets.
@Suite struct UpdateErrorHandlingTests {
    typealias W = WireBytes

    /// The announced 10.1.0.0/24, withdrawn.
    let withdrawnRoute = BGPUpdate(withdrawn: [BGPPrefix("10.1.0.0/24")!])

    /// An UPDATE announcing 10.1.0.0/24 with ORIGIN, AS_PATH and NEXT_HOP, one of them replaced or
    /// another attribute added.
    func update(replacing type: UInt8? = nil, with attribute: [UInt8]? = nil) -> [UInt8] {
        var attributes = [W.origin, W.asPath4, W.nextHop]
        if let type, let index = [1, 2, 3].firstIndex(of: type) { attributes.remove(at: index) }
        if let attribute { attributes.append(attribute) }
        return W.updateBody(attributes: attributes, nlri: W.nlri)
    }

    func expectWithdraw(_ body: [UInt8], type: UInt8?, _ context: BGPCodecContext = W.internal4) {
        let outcome = W.decode(body, context)
        guard case .treatAsWithdraw(let update, let problems) = outcome else {
            Issue.record("expected treat-as-withdraw, got \(outcome)")
            return
        }
        #expect(update == withdrawnRoute)
        #expect(problems.contains { $0.typeCode == type && $0.action == .treatAsWithdraw }, "\(problems)")
    }

    func expectDiscard(_ body: [UInt8], type: UInt8, _ context: BGPCodecContext = W.internal4) -> PathAttributes? {
        let outcome = W.decode(body, context)
        guard case .attributesDiscarded(let update, let problems) = outcome else {
            Issue.record("expected attribute discard, got \(outcome)")
            return nil
        }
        #expect(update.announced == [BGPPrefix("10.1.0.0/24")!])
        #expect(problems.map(\.typeCode) == [type])
        return update.attributes
    }

    func expectReset(_ body: [UInt8], _ subcode: BGPNotification.UpdateSubcode) -> BGPError? {
        let outcome = W.decode(body)
        guard case .sessionReset(let error) = outcome else {
            Issue.record("expected session reset, got \(outcome)")
            return nil
        }
        #expect(error.notification.code == 3)
        #expect(error.notification.subcode == subcode.rawValue, "\(error)")
        return error
    }

    @Test func badAttributeLengthsAreTreatAsWithdraw() {
        expectWithdraw(update(replacing: 1, with: W.attribute(0x40, 1, [0, 0])), type: 1)
        expectWithdraw(update(with: W.attribute(0x80, 4, [0, 0, 1])), type: 4)
        expectWithdraw(update(with: W.attribute(0x40, 5, [0, 0, 0, 0, 1])), type: 5)
        expectWithdraw(update(with: W.attribute(0xc0, 8, [0, 0, 1])), type: 8)
        expectWithdraw(update(with: W.attribute(0xc0, 8, [])), type: 8)
        expectWithdraw(update(with: W.attribute(0xc0, 32, [UInt8](repeating: 1, count: 11))), type: 32)
        expectWithdraw(update(with: W.attribute(0x80, 9, [10, 0, 0])), type: 9)
        expectWithdraw(update(with: W.attribute(0x80, 10, [10, 0, 0, 1, 2])), type: 10)
        expectWithdraw(update(replacing: 1, with: W.attribute(0x40, 1, [3])), type: 1)
    }

    @Test func anAttributeOverrunningTheAttributeSectionIsTreatAsWithdraw() {
        // MED claims 9 bytes where 4 remain: the Total Path Attribute Length still finds the NLRI.
        expectWithdraw(update(with: [0x80, 4, 9, 0, 0, 0, 1]), type: 4)
        expectWithdraw(update(with: [0x90, 4, 0]), type: 4)
        // Two bytes cannot hold an attribute header.
        expectWithdraw(update(with: [0x40, 1]), type: nil)
    }

    @Test func badASPathSegmentsAreTreatAsWithdraw() {
        for value in ["00 01 0000fde9", "02 03 0000fde9", "02 00", "02", "02 01 00000000", "05 01 0000fde9"] {
            expectWithdraw(update(replacing: 2, with: W.attribute(0x40, 2, W.hex(value))), type: 2)
        }
        // A 2-octet path read in a 4-octet session overruns too.
        expectWithdraw(update(replacing: 2, with: W.attribute(0x40, 2, W.hex("02 03 fde9 fdea fdeb"))), type: 2)
    }

    @Test func badNextHopsAreTreatAsWithdraw() {
        expectWithdraw(update(replacing: 3, with: W.attribute(0x40, 3, W.hex("0a000001 00"))), type: 3)
        expectWithdraw(update(replacing: 3, with: W.attribute(0x40, 3, W.hex("0a0000"))), type: 3)
        for address in ["00000000", "e0000001", "ffffffff", "7f000001"] {
            expectWithdraw(update(replacing: 3, with: W.attribute(0x40, 3, W.hex(address))), type: 3)
        }
        // MP_REACH_NLRI with the unspecified IPv6 address: its prefix is withdrawn.
        let reach = W.attribute(0x80, 14, W.hex("0002 01 10 00000000000000000000000000000000 00 20 20010db8"))
        let outcome = W.decode(W.updateBody(attributes: [reach, W.origin, W.asPath4]))
        #expect(outcome.update?.allWithdrawn == [BGPPrefix("2001:db8::/32")!])
        #expect(outcome.problems.map(\.typeCode) == [14])
    }

    @Test func anUnknownWellKnownAttributeResetsTheSession() {
        // RFC 7606 leaves RFC 4271 §6.3 in force here: Unrecognized Well-known Attribute, with the attribute as data.
        let error = expectReset(update(with: W.attribute(0x40, 99, [7])), .unrecognizedWellKnownAttribute)
        #expect(error?.notification.data == [0x40, 99, 1, 7])
    }

    @Test func duplicatesAreDiscardedExceptMultiprotocolOnesWhichReset() throws {
        let attributes = expectDiscard(update(with: W.attribute(0x40, 1, [1])), type: 1)
        #expect(attributes?.origin == .igp)
        let unknownTwice = update(with: W.attribute(0xc0, 99, [1]) + W.attribute(0xc0, 99, [2]))
        let kept = expectDiscard(unknownTwice, type: 99)
        #expect(kept?.unknown.map(\.value) == [[1]])
        let unreach = W.attribute(0x80, 15, W.hex("0002 01"))
        _ = expectReset(W.updateBody(attributes: [unreach, unreach]), .malformedAttributeList)
        let reach = W.attribute(0x80, 14, W.hex("0002 01 10 20010db8000000000000000000000001 00 20 20010db8"))
        _ = expectReset(W.updateBody(attributes: [reach, W.origin, W.asPath4, reach]), .malformedAttributeList)
    }

    @Test func missingMandatoryAttributesAreTreatAsWithdraw() {
        expectWithdraw(update(replacing: 1), type: 1)
        expectWithdraw(update(replacing: 2), type: 2)
        expectWithdraw(update(replacing: 3), type: 3)
        // MP_REACH_NLRI alone needs no NEXT_HOP, but ORIGIN still; its prefixes are the ones withdrawn.
        let reach = W.attribute(0x80, 14, W.hex("0002 01 10 20010db8000000000000000000000001 00 20 20010db8"))
        #expect(W.decode(W.updateBody(attributes: [reach, W.origin, W.asPath4])).problems.isEmpty)
        let outcome = W.decode(W.updateBody(attributes: [reach, W.asPath4]))
        guard case .treatAsWithdraw(let update, let problems) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(
            update.multiprotocolUnreach
                == MultiprotocolUnreach(family: .ipv6Unicast, prefixes: [BGPPrefix("2001:db8::/32")!]))
        #expect(problems.map(\.typeCode) == [1])
        // Withdrawals need no attributes at all.
        #expect(W.decode(W.updateBody(withdrawn: W.nlri, attributes: [])) == .clean(withdrawnRoute))
    }

    @Test func flagsThatConflictWithTheTypeAreTreatAsWithdraw() {
        expectWithdraw(update(replacing: 1, with: W.attribute(0xc0, 1, [0])), type: 1)
        expectWithdraw(update(replacing: 2, with: W.attribute(0x00, 2, W.hex("02 01 0000fde9"))), type: 2)
        expectWithdraw(update(with: W.attribute(0x40, 4, W.hex("00000001"))), type: 4)
        expectWithdraw(update(with: W.attribute(0x80, 8, W.hex("fde90001"))), type: 8)
        // MP_REACH_NLRI marked well-known: still read, so its prefix is withdrawn along with the rest.
        let reach = W.attribute(0x40, 14, W.hex("0002 01 10 20010db8000000000000000000000001 00 20 20010db8"))
        let outcome = W.decode(update(with: reach))
        #expect(outcome.update?.allWithdrawn == [BGPPrefix("10.1.0.0/24")!, BGPPrefix("2001:db8::/32")!])
        #expect(outcome.problems.map(\.action) == [.treatAsWithdraw])
    }

    @Test func someMalformationsOnlyDiscardTheAttribute() {
        #expect(expectDiscard(update(with: W.attribute(0x40, 6, [1])), type: 6)?.atomicAggregate == false)
        #expect(expectDiscard(update(with: W.attribute(0xc0, 7, W.hex("fde9 0a000001"))), type: 7)?.aggregator == nil)
        #expect(expectDiscard(update(with: W.attribute(0xc0, 7, W.hex("00000000 0a000001"))), type: 7) != nil)
        let fromExternal = expectDiscard(update(with: W.attribute(0x40, 5, W.hex("00000064"))), type: 5, W.external4)
        #expect(fromExternal?.localPreference == nil)
        _ = expectDiscard(update(with: W.attribute(0x80, 9, W.hex("0a000002"))), type: 9, W.external4)
    }

    @Test func theStrongestApproachWinsAndAllProblemsAreListed() {
        let body = update(with: W.attribute(0x40, 6, [1]) + W.attribute(0xc0, 8, [1]))
        let outcome = W.decode(body)
        guard case .treatAsWithdraw(let update, let problems) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(update == withdrawnRoute)
        #expect(problems.map(\.action) == [.attributeDiscard, .treatAsWithdraw])
        #expect(problems[1].description.hasPrefix("COMMUNITIES: length 1"))
    }

    @Test func messagesThatCannotBeParsedResetTheSession() {
        // Withdrawn Routes Length and Total Path Attribute Length overrunning the message.
        _ = expectReset(W.hex("0009 180a01 0000"), .malformedAttributeList)
        _ = expectReset(W.hex("0000 0009 40010100"), .malformedAttributeList)
        _ = expectReset(W.hex("00"), .malformedAttributeList)
        // NLRI that cannot be read.
        _ = expectReset(
            W.updateBody(attributes: [W.origin, W.asPath4, W.nextHop], nlri: W.hex("21 0a010000 00")),
            .invalidNetworkField)
        _ = expectReset(W.updateBody(withdrawn: W.hex("18 0a01"), attributes: []), .invalidNetworkField)
        // MP_REACH_NLRI whose next hop length does not fit the family, or whose NLRI is broken.
        let badNextHop = W.attribute(0x80, 14, W.hex("0002 01 05 0102030405 00 20 20010db8"))
        _ = expectReset(W.updateBody(attributes: [badNextHop, W.origin, W.asPath4]), .optionalAttributeError)
        let badNLRI = W.attribute(0x80, 14, W.hex("0002 01 10 20010db8000000000000000000000001 00 81"))
        _ = expectReset(W.updateBody(attributes: [badNLRI, W.origin, W.asPath4]), .optionalAttributeError)
        let shortReach = W.attribute(0x80, 14, W.hex("0002"))
        _ = expectReset(W.updateBody(attributes: [shortReach, W.origin, W.asPath4]), .optionalAttributeError)
        let badUnreach = W.attribute(0x80, 15, W.hex("0002 01 40 20010db8"))
        _ = expectReset(W.updateBody(attributes: [badUnreach]), .optionalAttributeError)
    }
}
