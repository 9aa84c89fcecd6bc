extension PathAttributes {
    /// Writes every attribute in type-code order. For a 2-octet peer, AS numbers that need 4 octets
    /// become AS_TRANS, and AS4_PATH / AS4_AGGREGATOR carry the real ones (RFC 6793 §4.2.2).
    func write(into writer: inout ByteWriter, context: BGPCodecContext) {
        typealias Flags = PathAttributeType.Flags
        var items: [(type: UInt8, flags: UInt8, value: [UInt8])] = []
        func add(_ type: PathAttributeType, _ build: (inout ByteWriter) -> Void) {
            var value = ByteWriter(capacity: 16)
            build(&value)
            items.append((type.rawValue, type.requiredFlags, value.bytes))
        }
        if let origin { add(.origin) { $0.writeUInt8(origin.rawValue) } }
        if let asPath { add(.asPath) { asPath.write(into: &$0, fourOctet: context.fourOctetAS) } }
        if let nextHop { add(.nextHop) { $0.write(nextHop.bytes) } }
        if let multiExitDiscriminator { add(.multiExitDiscriminator) { $0.writeUInt32(multiExitDiscriminator) } }
        if let localPreference { add(.localPreference) { $0.writeUInt32(localPreference) } }
        if atomicAggregate { add(.atomicAggregate) { _ in } }
        // A 2-octet receiver ignores AS4_PATH when AGGREGATOR holds an AS other than AS_TRANS
        // (RFC 6793 §4.2.3), so whenever AS4_PATH goes out the aggregator's AS travels in AS4_AGGREGATOR.
        let sendsAS4Path = !context.fourOctetAS && asPath?.needsFourOctets == true
        let sendsAS4Aggregator =
            !context.fourOctetAS && aggregator.map { $0.autonomousSystem > 0xffff || sendsAS4Path } == true
        if let aggregator {
            add(.aggregator) {
                if context.fourOctetAS {
                    $0.writeUInt32(aggregator.autonomousSystem)
                } else {
                    let asNumber = aggregator.autonomousSystem
                    $0.writeUInt16(sendsAS4Aggregator ? BGPOpen.asTrans : UInt16(asNumber))
                }
                $0.write(aggregator.address.bytes.prefix(4))
            }
        }
        if !communities.isEmpty { add(.communities) { w in communities.forEach { w.writeUInt32($0.rawValue) } } }
        if let originatorID { add(.originatorID) { $0.writeUInt32(originatorID) } }
        if !clusterList.isEmpty { add(.clusterList) { w in clusterList.forEach { w.writeUInt32($0) } } }
        if let asPath, sendsAS4Path {
            let as4Path = ASPath(asPath.segments.filter { $0.kind == .sequence || $0.kind == .set })
            if !as4Path.segments.isEmpty { add(.as4Path) { as4Path.write(into: &$0, fourOctet: true) } }
        }
        if sendsAS4Aggregator {
            if let aggregator {
                add(.as4Aggregator) {
                    $0.writeUInt32(aggregator.autonomousSystem)
                    $0.write(aggregator.address.bytes.prefix(4))
                }
            }
        }
        if !largeCommunities.isEmpty {
            add(.largeCommunities) { w in
                for community in largeCommunities {
                    w.writeUInt32(community.globalAdministrator)
                    w.writeUInt32(community.localData1)
                    w.writeUInt32(community.localData2)
                }
            }
        }
        for attribute in unknown {
            items.append((attribute.typeCode, attribute.flags | Flags.partial, attribute.value))
        }
        for item in items.sorted(by: { $0.type < $1.type }) {
            Self.writeAttribute(into: &writer, flags: item.flags, type: item.type, value: item.value)
        }
    }

    /// Writes one attribute, with a 2-byte length (Extended Length) only when the value needs it.
    static func writeAttribute(into writer: inout ByteWriter, flags: UInt8, type: UInt8, value: [UInt8]) {
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
