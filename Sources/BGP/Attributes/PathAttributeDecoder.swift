/// Reads an UPDATE's path attributes one by one, applying RFC 7606 to each: it collects the
/// attributes, the problems with the approach each calls for, or the error that resets the session.
struct PathAttributeDecoder {
    typealias Flags = PathAttributeType.Flags

    let context: BGPCodecContext
    var attributes = PathAttributes()
    var reach: MultiprotocolReach?
    var unreach: MultiprotocolUnreach?
    var problems: [BGPAttributeProblem] = []
    var reset: BGPError?
    private var seen = Set<UInt8>()
    private var as4Path: ASPath?
    private var as4Aggregator: Aggregator?

    init(context: BGPCodecContext) {
        self.context = context
    }

    private mutating func withdraw(_ type: UInt8?, _ problem: String) {
        problems.append(BGPAttributeProblem(typeCode: type, problem: problem, action: .treatAsWithdraw))
    }

    private mutating func discard(_ type: UInt8, _ problem: String) {
        problems.append(BGPAttributeProblem(typeCode: type, problem: problem, action: .attributeDiscard))
    }

    private mutating func resetSession(
        _ type: UInt8, _ problem: String, _ subcode: BGPNotification.UpdateSubcode, data: ArraySlice<UInt8>
    ) {
        reset = BGPError(
            object: "\(PathAttributeType.name(type)) attribute", problem: problem,
            notification: .update(subcode, data: Array(data)))
    }

    /// Reads the Path Attributes field. An attribute whose header or length overruns the field ends
    /// the reading with treat-as-withdraw (RFC 7606 §4): the field's own length still locates the NLRI.
    mutating func read(_ bytes: ArraySlice<UInt8>) {
        var reader = ByteReader(bytes)
        while !reader.isAtEnd, reset == nil {
            let whole = reader.bytes
            guard reader.remaining >= 3, let flags = try? reader.readUInt8(), let type = try? reader.readUInt8() else {
                withdraw(nil, "\(reader.remaining) bytes left cannot hold an attribute header")
                return
            }
            let extended = flags & Flags.extendedLength != 0
            let length = extended ? (try? reader.readUInt16()).map(Int.init) : (try? reader.readUInt8()).map(Int.init)
            guard let length else {
                withdraw(type, "the extended length field is cut off by the end of the path attributes")
                return
            }
            guard let value = try? reader.read(length) else {
                withdraw(type, "length \(length) overruns the \(reader.remaining) bytes left of the path attributes")
                return
            }
            attribute(flags: flags, type: type, value: value, whole: whole.prefix(whole.count - reader.remaining))
        }
    }

    private mutating func attribute(flags: UInt8, type: UInt8, value: ArraySlice<UInt8>, whole: ArraySlice<UInt8>) {
        guard let known = PathAttributeType(rawValue: type) else {
            // RFC 7606 revises the handling of malformed attributes, not of unrecognized ones, so
            // RFC 4271 §6.3 still holds: an unrecognized well-known attribute is an UPDATE Message
            // Error, subcode Unrecognized Well-known Attribute, with the attribute as data.
            guard flags & Flags.optional != 0 else {
                resetSession(
                    type, "flags 0x\(String(flags, radix: 16)) say well-known, but the type is unknown",
                    .unrecognizedWellKnownAttribute, data: whole)
                return
            }
            guard seen.insert(type).inserted else {
                discard(type, "appears more than once; only the first is kept (RFC 7606 §3 g)")
                return
            }
            // Unknown optional non-transitive attributes are quietly ignored (RFC 4271 §5).
            if flags & Flags.transitive != 0 {
                attributes.unknown.append(UnknownAttribute(flags: flags, typeCode: type, value: Array(value)))
            }
            return
        }
        guard seen.insert(type).inserted else {
            if known == .multiprotocolReach || known == .multiprotocolUnreach {
                resetSession(type, "appears more than once (RFC 7606 §3 g)", .malformedAttributeList, data: [])
            } else {
                discard(type, "appears more than once; only the first is kept (RFC 7606 §3 g)")
            }
            return
        }
        let actual = flags & (Flags.optional | Flags.transitive)
        if actual != known.requiredFlags {
            withdraw(
                type,
                "flags 0x\(String(flags, radix: 16)) conflict with the type (optional and transitive should be 0x\(String(known.requiredFlags, radix: 16))) (RFC 7606 §3 c)"
            )
            // The MP attributes are still read, so that their prefixes can be withdrawn too.
            guard known == .multiprotocolReach || known == .multiprotocolUnreach else { return }
        }
        switch known {
        case .origin:
            guard value.count == 1, let origin = value.first.flatMap(Origin.init(rawValue:)) else {
                withdraw(
                    type,
                    value.count == 1 ? "value \(value.first ?? 0) is undefined" : "length \(value.count), expected 1")
                return
            }
            attributes.origin = origin
        case .asPath:
            switch ASPath.read(value, fourOctet: context.fourOctetAS) {
            case .success(let path): attributes.asPath = path
            case .failure(let problem): withdraw(type, "malformed: \(problem.text) (RFC 7606 §7.2)")
            }
        case .nextHop:
            guard value.count == 4, let address = BGPAddress(bytes: value) else {
                withdraw(type, "length \(value.count), expected 4 (RFC 7606 §7.3)")
                return
            }
            guard address.isUsableNextHop else {
                withdraw(type, "\(address) is not a usable host address (RFC 4271 §6.3, RFC 7606 §7.3)")
                return
            }
            attributes.nextHop = address
        case .multiExitDiscriminator:
            guard let number = Self.uint32(value) else {
                return withdraw(type, "length \(value.count), expected 4 (RFC 7606 §7.4)")
            }
            attributes.multiExitDiscriminator = number
        case .localPreference:
            guard !context.externalPeer else { return discard(type, "received from an external peer (RFC 7606 §7.5)") }
            guard let number = Self.uint32(value) else {
                return withdraw(type, "length \(value.count), expected 4 (RFC 7606 §7.5)")
            }
            attributes.localPreference = number
        case .atomicAggregate:
            guard value.isEmpty else { return discard(type, "length \(value.count), expected 0 (RFC 7606 §7.6)") }
            attributes.atomicAggregate = true
        case .aggregator:
            let width = context.fourOctetAS ? 4 : 2
            guard value.count == width + 4 else {
                return discard(type, "length \(value.count), expected \(width + 4) (RFC 7606 §7.7)")
            }
            let aggregator = Self.aggregator(value, width: width)
            guard aggregator.autonomousSystem != 0 else { return discard(type, "AS 0 (RFC 7607)") }
            attributes.aggregator = aggregator
        case .communities:
            guard !value.isEmpty, value.count % 4 == 0 else {
                return withdraw(type, "length \(value.count) is not a positive multiple of 4 (RFC 7606 §7.8)")
            }
            attributes.communities = Self.uint32s(value).map(BGPCommunity.init(rawValue:))
        case .originatorID:
            guard !context.externalPeer else { return discard(type, "received from an external peer (RFC 7606 §7.9)") }
            guard let number = Self.uint32(value) else {
                return withdraw(type, "length \(value.count), expected 4 (RFC 7606 §7.9)")
            }
            attributes.originatorID = number
        case .clusterList:
            guard !context.externalPeer else { return discard(type, "received from an external peer (RFC 7606 §7.10)") }
            guard !value.isEmpty, value.count % 4 == 0 else {
                return withdraw(type, "length \(value.count) is not a positive multiple of 4 (RFC 7606 §7.10)")
            }
            attributes.clusterList = Self.uint32s(value)
        case .multiprotocolReach:
            readReach(value, whole: whole)
        case .multiprotocolUnreach:
            readUnreach(value, whole: whole)
        case .as4Path:
            guard !context.fourOctetAS else { return discard(type, "sent by a 4-octet speaker (RFC 6793 §4.1)") }
            switch ASPath.read(value, fourOctet: true) {
            case .success(let path):
                guard !path.segments.isEmpty else { return discard(type, "length 0 (RFC 7606 §3)") }
                guard path.segments.allSatisfy({ $0.kind == .sequence || $0.kind == .set }) else {
                    return discard(type, "holds confederation segments (RFC 6793 §6)")
                }
                as4Path = path
            case .failure(let problem):
                discard(type, "malformed: \(problem.text) (RFC 6793 §6)")
            }
        case .as4Aggregator:
            guard !context.fourOctetAS else { return discard(type, "sent by a 4-octet speaker (RFC 6793 §4.1)") }
            guard value.count == 8 else { return discard(type, "length \(value.count), expected 8 (RFC 6793 §6)") }
            let aggregator = Self.aggregator(value, width: 4)
            guard aggregator.autonomousSystem != 0 else { return discard(type, "AS 0 (RFC 7607)") }
            as4Aggregator = aggregator
        case .largeCommunities:
            guard !value.isEmpty, value.count % 12 == 0 else {
                return withdraw(type, "length \(value.count) is not a positive multiple of 12 (RFC 8092 §6)")
            }
            let numbers = Self.uint32s(value)
            attributes.largeCommunities = stride(from: 0, to: numbers.count, by: 3).map {
                LargeCommunity(numbers[$0], numbers[$0 + 1], numbers[$0 + 2])
            }
        }
    }

    /// MP_REACH_NLRI: a next hop length that does not fit the family, or NLRI that cannot be read,
    /// leave its prefixes unknowable, so the session is reset (RFC 7606 §7.11, §5.3).
    private mutating func readReach(_ value: ArraySlice<UInt8>, whole: ArraySlice<UInt8>) {
        let type = PathAttributeType.multiprotocolReach.rawValue
        var reader = ByteReader(value)
        guard let afi = try? reader.readUInt16(), let safi = try? reader.readUInt8(),
            let nextHopLength = try? reader.readUInt8()
        else {
            return resetSession(
                type, "length \(value.count) cannot hold AFI, SAFI and next hop length",
                .optionalAttributeError, data: whole)
        }
        let family = AFISAFI(afi: AFI(rawValue: afi), safi: SAFI(rawValue: safi))
        guard let prefixFamily = family.prefixFamily else {
            return discard(type, "\(family) is not a family this speaker reads (RFC 4760 §7)")
        }
        let validLengths = family.afi == .ipv4 ? [4, 16, 32] : [16, 32]
        guard validLengths.contains(Int(nextHopLength)), let nextHopBytes = try? reader.read(Int(nextHopLength)),
            (try? reader.readUInt8()) != nil
        else {
            return resetSession(
                type, "next hop length \(nextHopLength) is invalid for \(family) or overruns the attribute",
                .optionalAttributeError, data: whole)
        }
        let prefixes: [BGPPrefix]
        do throws(BGPPrefix.NLRIProblem) {
            prefixes = try BGPPrefix.readNLRI(reader.readRest(), family: prefixFamily)
        } catch {
            return resetSession(type, "NLRI: \(error.text)", .optionalAttributeError, data: whole)
        }
        let bytes = Array(nextHopBytes)
        let global = BGPAddress(bytes: bytes.prefix(min(bytes.count, 16))) ?? .zero(prefixFamily)
        let linkLocal = bytes.count == 32 ? BGPAddress(bytes: bytes.suffix(16)) : nil
        reach = MultiprotocolReach(
            family: family, nextHop: MultiprotocolNextHop(global: global, linkLocal: linkLocal), prefixes: prefixes)
        if !global.isUsableNextHop {
            withdraw(type, "next hop \(global) is not a usable host address (RFC 7606 §7.11)")
        }
    }

    /// MP_UNREACH_NLRI: one that cannot be read resets the session (RFC 7606 §7.12). An empty one of
    /// any family is kept, as it is that family's End-of-RIB.
    private mutating func readUnreach(_ value: ArraySlice<UInt8>, whole: ArraySlice<UInt8>) {
        let type = PathAttributeType.multiprotocolUnreach.rawValue
        var reader = ByteReader(value)
        guard let afi = try? reader.readUInt16(), let safi = try? reader.readUInt8() else {
            return resetSession(
                type, "length \(value.count) cannot hold AFI and SAFI", .optionalAttributeError, data: whole)
        }
        let family = AFISAFI(afi: AFI(rawValue: afi), safi: SAFI(rawValue: safi))
        guard let prefixFamily = family.prefixFamily else {
            guard reader.isAtEnd else {
                return discard(type, "\(family) is not a family this speaker reads (RFC 4760 §7)")
            }
            unreach = MultiprotocolUnreach(family: family, prefixes: [])
            return
        }
        do throws(BGPPrefix.NLRIProblem) {
            unreach = MultiprotocolUnreach(
                family: family, prefixes: try BGPPrefix.readNLRI(reader.readRest(), family: prefixFamily))
        } catch {
            resetSession(type, "withdrawn routes: \(error.text)", .optionalAttributeError, data: whole)
        }
    }

    /// Merges AS4_PATH and AS4_AGGREGATOR from a 2-octet peer (RFC 6793 §4.2.3), then checks the
    /// mandatory attributes: without ORIGIN or AS_PATH (or NEXT_HOP for IPv4 NLRI) routes are
    /// withdrawn (RFC 7606 §3 d); RFC 4760 makes NEXT_HOP unnecessary for MP_REACH_NLRI alone.
    mutating func finish(hasClassicNLRI: Bool) {
        // The encoder writes attributes in type-code order, so they are kept in that order here too.
        attributes.unknown.sort { $0.typeCode < $1.typeCode }
        let as4PathType = PathAttributeType.as4Path.rawValue
        let as4AggregatorType = PathAttributeType.as4Aggregator.rawValue
        if !context.fourOctetAS {
            if let aggregator = attributes.aggregator, aggregator.autonomousSystem != UInt32(BGPOpen.asTrans) {
                if as4Aggregator != nil {
                    discard(as4AggregatorType, "AGGREGATOR's AS is not AS_TRANS (RFC 6793 §4.2.3)")
                }
                if as4Path != nil { discard(as4PathType, "AGGREGATOR's AS is not AS_TRANS (RFC 6793 §4.2.3)") }
                as4Aggregator = nil
                as4Path = nil
            } else if let as4Aggregator {
                if attributes.aggregator == nil {
                    discard(as4AggregatorType, "there is no AGGREGATOR to complete")
                } else {
                    attributes.aggregator = as4Aggregator
                }
            }
            if let as4Path {
                if let asPath = attributes.asPath, let merged = asPath.merged(with: as4Path) {
                    attributes.asPath = merged
                } else {
                    discard(as4PathType, "it is longer than AS_PATH, or AS_PATH is absent (RFC 6793 §4.2.3)")
                }
            }
        }
        guard hasClassicNLRI || !(reach?.prefixes.isEmpty ?? true) else { return }
        var mandatory: [PathAttributeType] = [.origin, .asPath]
        if hasClassicNLRI { mandatory.append(.nextHop) }
        for type in mandatory where !seen.contains(type.rawValue) {
            withdraw(type.rawValue, "missing, but mandatory when routes are announced (RFC 7606 §3 d)")
        }
    }

    private static func uint32(_ value: ArraySlice<UInt8>) -> UInt32? {
        value.count == 4 ? value.reduce(0) { $0 << 8 | UInt32($1) } : nil
    }

    private static func uint32s(_ value: ArraySlice<UInt8>) -> [UInt32] {
        stride(from: value.startIndex, to: value.endIndex - 3, by: 4).map {
            value[$0..<$0 + 4].reduce(0) { $0 << 8 | UInt32($1) }
        }
    }

    private static func aggregator(_ value: ArraySlice<UInt8>, width: Int) -> Aggregator {
        let asNumber = value.prefix(width).reduce(0) { $0 << 8 | UInt32($1) }
        let address = BGPAddress(bytes: value.suffix(4)) ?? .zero(.ipv4)
        return Aggregator(autonomousSystem: asNumber, address: address)
    }
}
