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
    /// AS4_PATH and AS4_AGGREGATOR from a 2-octet peer, merged in by `finish`.
    var as4Path: ASPath?
    var as4Aggregator: Aggregator?

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
        let codec = known.codec
        guard seen.insert(type).inserted else {
            if codec.carriesPrefixes {
                resetSession(type, "appears more than once (RFC 7606 §3 g)", .malformedAttributeList, data: [])
            } else {
                discard(type, "appears more than once; only the first is kept (RFC 7606 §3 g)")
            }
            return
        }
        let actual = flags & (Flags.optional | Flags.transitive)
        if actual != codec.flags {
            withdraw(
                type,
                "flags 0x\(String(flags, radix: 16)) conflict with the type (optional and transitive should be 0x\(String(codec.flags, radix: 16))) (RFC 7606 §3 c)"
            )
            guard codec.carriesPrefixes else { return }
        }
        switch codec.decode(value, &self) {
        case .read:
            break
        case .malformed(let problem):
            switch codec.malformed {
            case .treatAsWithdraw: withdraw(type, problem)
            case .attributeDiscard: discard(type, problem)
            case .sessionReset(let subcode): resetSession(type, problem, subcode, data: whole)
            }
        case .unwanted(let problem):
            discard(type, problem)
        case .unusable(let problem):
            withdraw(type, problem)
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
}
