/// An UPDATE message (RFC 4271 §4.3) as on the wire: IPv4 withdrawals and announcements in their
/// own fields, other families in MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760), and the path attributes.
public struct BGPUpdate: Hashable, Sendable {
    /// The Withdrawn Routes field (IPv4).
    public var withdrawn: [BGPPrefix]
    /// The path attributes other than MP_REACH_NLRI and MP_UNREACH_NLRI.
    public var attributes: PathAttributes
    /// The NLRI field (IPv4).
    public var announced: [BGPPrefix]
    /// MP_REACH_NLRI, if present.
    public var multiprotocolReach: MultiprotocolReach?
    /// MP_UNREACH_NLRI, if present.
    public var multiprotocolUnreach: MultiprotocolUnreach?

    /// An UPDATE from its parts.
    public init(
        withdrawn: [BGPPrefix] = [], attributes: PathAttributes = PathAttributes(), announced: [BGPPrefix] = [],
        multiprotocolReach: MultiprotocolReach? = nil, multiprotocolUnreach: MultiprotocolUnreach? = nil
    ) {
        self.withdrawn = withdrawn
        self.attributes = attributes
        self.announced = announced
        self.multiprotocolReach = multiprotocolReach
        self.multiprotocolUnreach = multiprotocolUnreach
    }

    /// The End-of-RIB marker of a family (RFC 4724 §2): an empty UPDATE for IPv4 unicast, an
    /// empty MP_UNREACH_NLRI for any other.
    public static func endOfRIB(_ family: AFISAFI) -> BGPUpdate {
        family == .ipv4Unicast
            ? BGPUpdate() : BGPUpdate(multiprotocolUnreach: MultiprotocolUnreach(family: family, prefixes: []))
    }

    /// The family this UPDATE is the End-of-RIB marker of, if it is one.
    public var endOfRIB: AFISAFI? {
        guard withdrawn.isEmpty, announced.isEmpty, multiprotocolReach == nil, attributes.isEmpty else { return nil }
        guard let unreach = multiprotocolUnreach else { return .ipv4Unicast }
        return unreach.prefixes.isEmpty ? unreach.family : nil
    }

    /// Every prefix withdrawn, from both fields.
    public var allWithdrawn: [BGPPrefix] { withdrawn + (multiprotocolUnreach?.prefixes ?? []) }
    /// Every prefix announced, from both fields.
    public var allAnnounced: [BGPPrefix] { announced + (multiprotocolReach?.prefixes ?? []) }

    /// Writes the whole message: MP_REACH_NLRI and MP_UNREACH_NLRI first (RFC 7606 §5.1), then the
    /// other attributes in type-code order. It may exceed 4096 bytes; `BGPUpdatePacker` keeps within.
    public func encode(context: BGPCodecContext) -> [UInt8] {
        var writer = BGPMessageHeader.start(.update, capacity: 64 + 4 * (withdrawn.count + announced.count))
        let withdrawnLength = writer.reserveUInt16()
        for prefix in withdrawn { prefix.writeNLRI(into: &writer) }
        writer.patchUInt16(at: withdrawnLength, UInt16(truncatingIfNeeded: writer.count - withdrawnLength - 2))
        let attributesLength = writer.reserveUInt16()
        writeAttributes(into: &writer, context: context)
        writer.patchUInt16(at: attributesLength, UInt16(truncatingIfNeeded: writer.count - attributesLength - 2))
        for prefix in announced { prefix.writeNLRI(into: &writer) }
        return BGPMessageHeader.finish(writer)
    }

    /// Reads an UPDATE's body (the bytes after the 19-byte header) under RFC 7606. Only lengths that
    /// leave the message unparseable, NLRI that cannot be read, a broken or repeated MP_REACH_NLRI /
    /// MP_UNREACH_NLRI and an unrecognized well-known attribute reset the session.
    public static func decode(body: ArraySlice<UInt8>, context: BGPCodecContext) -> BGPUpdateOutcome {
        var reader = ByteReader(body)
        func reset(_ problem: String, _ subcode: BGPNotification.UpdateSubcode) -> BGPUpdateOutcome {
            .sessionReset(BGPError(object: "UPDATE", problem: problem, notification: .update(subcode)))
        }
        guard let withdrawnLength = try? reader.readUInt16() else {
            return reset("the body of \(body.count) bytes has no Withdrawn Routes Length", .malformedAttributeList)
        }
        guard let withdrawnBytes = try? reader.read(Int(withdrawnLength)) else {
            return reset(
                "Withdrawn Routes Length \(withdrawnLength) overruns the \(reader.remaining) bytes left",
                .malformedAttributeList)
        }
        guard let attributesLength = try? reader.readUInt16() else {
            return reset("no Total Path Attribute Length after the withdrawn routes", .malformedAttributeList)
        }
        guard let attributeBytes = try? reader.read(Int(attributesLength)) else {
            return reset(
                "Total Path Attribute Length \(attributesLength) overruns the \(reader.remaining) bytes left",
                .malformedAttributeList)
        }
        let withdrawn: [BGPPrefix]
        let announced: [BGPPrefix]
        do throws(BGPPrefix.NLRIProblem) {
            withdrawn = try BGPPrefix.readNLRI(withdrawnBytes, family: .ipv4)
        } catch {
            return reset("Withdrawn Routes: \(error.text)", .invalidNetworkField)
        }
        do throws(BGPPrefix.NLRIProblem) {
            announced = try BGPPrefix.readNLRI(reader.readRest(), family: .ipv4)
        } catch {
            return reset("NLRI: \(error.text)", .invalidNetworkField)
        }
        var decoder = PathAttributeDecoder(context: context)
        decoder.read(attributeBytes)
        if let error = decoder.reset { return .sessionReset(error) }
        decoder.finish(hasClassicNLRI: !announced.isEmpty)

        let update = BGPUpdate(
            withdrawn: withdrawn, attributes: decoder.attributes, announced: announced,
            multiprotocolReach: decoder.reach, multiprotocolUnreach: decoder.unreach)
        let strongest = decoder.problems.map(\.action).max()
        switch strongest {
        case nil:
            return .clean(update)
        case .attributeDiscard:
            return .attributesDiscarded(update, decoder.problems)
        case .treatAsWithdraw:
            return .treatAsWithdraw(update.asWithdrawals, decoder.problems)
        }
    }

    /// This UPDATE with every prefix it names, announced or withdrawn, as a withdrawal.
    var asWithdrawals: BGPUpdate {
        let everything = allWithdrawn + allAnnounced
        let ipv6 = everything.filter { $0.family == .ipv6 }
        return BGPUpdate(
            withdrawn: everything.filter { $0.family == .ipv4 },
            multiprotocolUnreach: ipv6.isEmpty ? nil : MultiprotocolUnreach(family: .ipv6Unicast, prefixes: ipv6))
    }
}
