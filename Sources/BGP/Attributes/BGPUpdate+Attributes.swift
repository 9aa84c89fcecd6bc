extension BGPUpdate {
    /// The known types in the order they are written: the ones that carry prefixes first (RFC 7606
    /// §5.1), then the rest in type-code order.
    private static let writingOrder: [PathAttributeType] =
        PathAttributeType.allCases.filter { $0.codec.carriesPrefixes }
        + PathAttributeType.allCases.filter { !$0.codec.carriesPrefixes }.sorted { $0.rawValue < $1.rawValue }

    /// Writes the Path Attributes field through the codec table, with the unknown transitive
    /// attributes among the known ones in type-code order. For a 2-octet peer, AS numbers that need
    /// 4 octets become AS_TRANS, and AS4_PATH / AS4_AGGREGATOR carry the real ones (RFC 6793 §4.2.2).
    func writeAttributes(into writer: inout ByteWriter, context: BGPCodecContext) {
        var unknown = attributes.unknown.sorted { $0.typeCode < $1.typeCode }[...]
        var value = ByteWriter(capacity: 32)
        for type in Self.writingOrder {
            let codec = type.codec
            if !codec.carriesPrefixes {
                while let next = unknown.first, next.typeCode < type.rawValue {
                    Self.writeAttribute(
                        into: &writer, flags: next.flags | PathAttributeType.Flags.partial, type: next.typeCode,
                        value: next.value)
                    unknown.removeFirst()
                }
            }
            value.removeAll()
            guard codec.encode(self, context, &value) else { continue }
            Self.writeAttribute(into: &writer, flags: codec.flags, type: type.rawValue, value: value.bytes)
        }
        for attribute in unknown {
            Self.writeAttribute(
                into: &writer, flags: attribute.flags | PathAttributeType.Flags.partial, type: attribute.typeCode,
                value: attribute.value)
        }
    }

    /// Writes one attribute, with a 2-byte length (Extended Length) only when the value needs it.
    private static func writeAttribute(into writer: inout ByteWriter, flags: UInt8, type: UInt8, value: [UInt8]) {
        let extended = value.count > 255
        let flags =
            extended ? flags | PathAttributeType.Flags.extendedLength : flags & ~PathAttributeType.Flags.extendedLength
        writer.writeUInt8(flags)
        writer.writeUInt8(type)
        if extended {
            writer.writeUInt16(UInt16(truncatingIfNeeded: value.count))
        } else {
            writer.writeUInt8(UInt8(value.count))
        }
        writer.write(value)
    }
}

extension PathAttributes {
    /// Whether AS4_PATH goes out: to a 2-octet peer, when the path holds an AS that needs 4 octets.
    func sendsAS4Path(_ context: BGPCodecContext) -> Bool {
        !context.fourOctetAS && asPath?.needsFourOctets == true
    }

    /// Whether AS4_AGGREGATOR goes out. A 2-octet receiver ignores AS4_PATH when AGGREGATOR holds
    /// an AS other than AS_TRANS (RFC 6793 §4.2.3), so whenever AS4_PATH goes out the aggregator's
    /// AS travels in AS4_AGGREGATOR.
    func sendsAS4Aggregator(_ context: BGPCodecContext) -> Bool {
        !context.fourOctetAS && aggregator.map { $0.autonomousSystem > 0xffff || sendsAS4Path(context) } == true
    }
}
