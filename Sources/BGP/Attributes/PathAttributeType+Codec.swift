extension PathAttributeType {
    private typealias Reading = PathAttributeCodec.Reading

    /// This type's entry in the codec's table.
    var codec: PathAttributeCodec {
        switch self {
        case .origin:
            PathAttributeCodec(flags: Flags.transitive, malformed: .treatAsWithdraw) { value, decoder in
                guard value.count == 1 else { return .malformed("length \(value.count), expected 1") }
                guard let origin = value.first.flatMap(Origin.init(rawValue:)) else {
                    return .malformed("value \(value.first ?? 0) is undefined")
                }
                decoder.attributes.origin = origin
                return .read
            } encode: { update, _, writer in
                guard let origin = update.attributes.origin else { return false }
                writer.writeUInt8(origin.rawValue)
                return true
            }
        case .asPath:
            PathAttributeCodec(flags: Flags.transitive, malformed: .treatAsWithdraw) { value, decoder in
                switch ASPath.read(value, fourOctet: decoder.context.fourOctetAS) {
                case .success(let path):
                    decoder.attributes.asPath = path
                    return .read
                case .failure(let problem):
                    return .malformed("malformed: \(problem.text) (RFC 7606 §7.2)")
                }
            } encode: { update, context, writer in
                guard let asPath = update.attributes.asPath else { return false }
                asPath.write(into: &writer, fourOctet: context.fourOctetAS)
                return true
            }
        case .nextHop:
            PathAttributeCodec(flags: Flags.transitive, malformed: .treatAsWithdraw) { value, decoder in
                guard value.count == 4, let address = BGPAddress(bytes: value) else {
                    return .malformed("length \(value.count), expected 4 (RFC 7606 §7.3)")
                }
                guard address.isUsableNextHop else {
                    return .malformed("\(address) is not a usable host address (RFC 4271 §6.3, RFC 7606 §7.3)")
                }
                decoder.attributes.nextHop = address
                return .read
            } encode: { update, _, writer in
                guard let nextHop = update.attributes.nextHop else { return false }
                writer.write(nextHop.bytes)
                return true
            }
        case .multiExitDiscriminator:
            Self.number(flags: Flags.optional, section: "7.4", internalOnly: false, \.multiExitDiscriminator)
        case .localPreference:
            Self.number(flags: Flags.transitive, section: "7.5", internalOnly: true, \.localPreference)
        case .atomicAggregate:
            PathAttributeCodec(flags: Flags.transitive, malformed: .attributeDiscard) { value, decoder in
                guard value.isEmpty else { return .malformed("length \(value.count), expected 0 (RFC 7606 §7.6)") }
                decoder.attributes.atomicAggregate = true
                return .read
            } encode: { update, _, _ in
                update.attributes.atomicAggregate
            }
        case .aggregator:
            PathAttributeCodec(flags: Flags.optional | Flags.transitive, malformed: .attributeDiscard) {
                value, decoder in
                let width = decoder.context.fourOctetAS ? 4 : 2
                guard value.count == width + 4 else {
                    return .malformed("length \(value.count), expected \(width + 4) (RFC 7606 §7.7)")
                }
                let aggregator = Self.aggregator(value, width: width)
                guard aggregator.autonomousSystem != 0 else { return .malformed("AS 0 (RFC 7607)") }
                decoder.attributes.aggregator = aggregator
                return .read
            } encode: { update, context, writer in
                guard let aggregator = update.attributes.aggregator else { return false }
                if context.fourOctetAS {
                    writer.writeUInt32(aggregator.autonomousSystem)
                } else {
                    let asNumber = aggregator.autonomousSystem
                    writer.writeUInt16(
                        update.attributes.sendsAS4Aggregator(context) ? BGPOpen.asTrans : UInt16(asNumber))
                }
                writer.write(aggregator.address.bytes.prefix(4))
                return true
            }
        case .communities:
            PathAttributeCodec(flags: Flags.optional | Flags.transitive, malformed: .treatAsWithdraw) {
                value, decoder in
                guard !value.isEmpty, value.count % 4 == 0 else {
                    return .malformed("length \(value.count) is not a positive multiple of 4 (RFC 7606 §7.8)")
                }
                decoder.attributes.communities = Self.uint32s(value).map(BGPCommunity.init(rawValue:))
                return .read
            } encode: { update, _, writer in
                let communities = update.attributes.communities
                for community in communities { writer.writeUInt32(community.rawValue) }
                return !communities.isEmpty
            }
        case .originatorID:
            Self.number(flags: Flags.optional, section: "7.9", internalOnly: true, \.originatorID)
        case .clusterList:
            PathAttributeCodec(flags: Flags.optional, malformed: .treatAsWithdraw) { value, decoder in
                guard !decoder.context.externalPeer else {
                    return .unwanted("received from an external peer (RFC 7606 §7.10)")
                }
                guard !value.isEmpty, value.count % 4 == 0 else {
                    return .malformed("length \(value.count) is not a positive multiple of 4 (RFC 7606 §7.10)")
                }
                decoder.attributes.clusterList = Self.uint32s(value)
                return .read
            } encode: { update, _, writer in
                let clusterList = update.attributes.clusterList
                for cluster in clusterList { writer.writeUInt32(cluster) }
                return !clusterList.isEmpty
            }
        case .multiprotocolReach:
            PathAttributeCodec(
                flags: Flags.optional, malformed: .sessionReset(.optionalAttributeError), carriesPrefixes: true,
                decode: Self.readReach
            ) { update, _, writer in
                guard let reach = update.multiprotocolReach else { return false }
                reach.write(into: &writer)
                return true
            }
        case .multiprotocolUnreach:
            PathAttributeCodec(
                flags: Flags.optional, malformed: .sessionReset(.optionalAttributeError), carriesPrefixes: true,
                decode: Self.readUnreach
            ) { update, _, writer in
                guard let unreach = update.multiprotocolUnreach else { return false }
                unreach.write(into: &writer)
                return true
            }
        case .as4Path:
            PathAttributeCodec(flags: Flags.optional | Flags.transitive, malformed: .attributeDiscard) {
                value, decoder in
                guard !decoder.context.fourOctetAS else {
                    return .unwanted("sent by a 4-octet speaker (RFC 6793 §4.1)")
                }
                switch ASPath.read(value, fourOctet: true) {
                case .success(let path):
                    guard !path.segments.isEmpty else { return .malformed("length 0 (RFC 7606 §3)") }
                    guard path.segments.allSatisfy({ $0.kind == .sequence || $0.kind == .set }) else {
                        return .malformed("holds confederation segments (RFC 6793 §6)")
                    }
                    decoder.as4Path = path
                    return .read
                case .failure(let problem):
                    return .malformed("malformed: \(problem.text) (RFC 6793 §6)")
                }
            } encode: { update, context, writer in
                // Confederation segments never travel in AS4_PATH (RFC 6793 §3).
                guard update.attributes.sendsAS4Path(context), let asPath = update.attributes.asPath else {
                    return false
                }
                let as4Path = ASPath(asPath.segments.filter { $0.kind == .sequence || $0.kind == .set })
                guard !as4Path.segments.isEmpty else { return false }
                as4Path.write(into: &writer, fourOctet: true)
                return true
            }
        case .as4Aggregator:
            PathAttributeCodec(flags: Flags.optional | Flags.transitive, malformed: .attributeDiscard) {
                value, decoder in
                guard !decoder.context.fourOctetAS else {
                    return .unwanted("sent by a 4-octet speaker (RFC 6793 §4.1)")
                }
                guard value.count == 8 else { return .malformed("length \(value.count), expected 8 (RFC 6793 §6)") }
                let aggregator = Self.aggregator(value, width: 4)
                guard aggregator.autonomousSystem != 0 else { return .malformed("AS 0 (RFC 7607)") }
                decoder.as4Aggregator = aggregator
                return .read
            } encode: { update, context, writer in
                guard update.attributes.sendsAS4Aggregator(context), let aggregator = update.attributes.aggregator
                else { return false }
                writer.writeUInt32(aggregator.autonomousSystem)
                writer.write(aggregator.address.bytes.prefix(4))
                return true
            }
        case .largeCommunities:
            PathAttributeCodec(flags: Flags.optional | Flags.transitive, malformed: .treatAsWithdraw) {
                value, decoder in
                guard !value.isEmpty, value.count % 12 == 0 else {
                    return .malformed("length \(value.count) is not a positive multiple of 12 (RFC 8092 §6)")
                }
                let numbers = Self.uint32s(value)
                decoder.attributes.largeCommunities = stride(from: 0, to: numbers.count, by: 3).map {
                    LargeCommunity(numbers[$0], numbers[$0 + 1], numbers[$0 + 2])
                }
                return .read
            } encode: { update, _, writer in
                let communities = update.attributes.largeCommunities
                for community in communities {
                    writer.writeUInt32(community.globalAdministrator)
                    writer.writeUInt32(community.localData1)
                    writer.writeUInt32(community.localData2)
                }
                return !communities.isEmpty
            }
        }
    }

    /// A 4-octet number attribute (MULTI_EXIT_DISC, LOCAL_PREF, ORIGINATOR_ID); the internal-only
    /// ones are discarded from an external peer.
    private static func number(
        flags: UInt8, section: String, internalOnly: Bool, _ field: WritableKeyPath<PathAttributes, UInt32?>
    ) -> PathAttributeCodec {
        PathAttributeCodec(flags: flags, malformed: .treatAsWithdraw) { value, decoder in
            if internalOnly, decoder.context.externalPeer {
                return .unwanted("received from an external peer (RFC 7606 §\(section))")
            }
            guard value.count == 4 else {
                return .malformed("length \(value.count), expected 4 (RFC 7606 §\(section))")
            }
            decoder.attributes[keyPath: field] = value.reduce(0) { $0 << 8 | UInt32($1) }
            return .read
        } encode: { update, _, writer in
            guard let number = update.attributes[keyPath: field] else { return false }
            writer.writeUInt32(number)
            return true
        }
    }

    /// MP_REACH_NLRI: a next hop length that does not fit the family, or NLRI that cannot be read,
    /// leave its prefixes unknowable, which is malformed (RFC 7606 §7.11, §5.3).
    private static func readReach(_ value: ArraySlice<UInt8>, _ decoder: inout PathAttributeDecoder) -> Reading {
        var reader = ByteReader(value)
        guard let afi = try? reader.readUInt16(), let safi = try? reader.readUInt8(),
            let nextHopLength = try? reader.readUInt8()
        else {
            return .malformed("length \(value.count) cannot hold AFI, SAFI and next hop length")
        }
        let family = AFISAFI(afi: AFI(rawValue: afi), safi: SAFI(rawValue: safi))
        guard let prefixFamily = family.prefixFamily else {
            return .unwanted("\(family) is not a family this speaker reads (RFC 4760 §7)")
        }
        let validLengths = family.afi == .ipv4 ? [4, 16, 32] : [16, 32]
        guard validLengths.contains(Int(nextHopLength)), let nextHopBytes = try? reader.read(Int(nextHopLength)),
            (try? reader.readUInt8()) != nil
        else {
            return .malformed("next hop length \(nextHopLength) is invalid for \(family) or overruns the attribute")
        }
        let prefixes: [BGPPrefix]
        do throws(BGPPrefix.NLRIProblem) {
            prefixes = try BGPPrefix.readNLRI(reader.readRest(), family: prefixFamily)
        } catch {
            return .malformed("NLRI: \(error.text)")
        }
        let bytes = Array(nextHopBytes)
        let global = BGPAddress(bytes: bytes.prefix(min(bytes.count, 16))) ?? .zero(prefixFamily)
        let linkLocal = bytes.count == 32 ? BGPAddress(bytes: bytes.suffix(16)) : nil
        decoder.reach = MultiprotocolReach(
            family: family, nextHop: MultiprotocolNextHop(global: global, linkLocal: linkLocal), prefixes: prefixes)
        guard global.isUsableNextHop else {
            return .unusable("next hop \(global) is not a usable host address (RFC 7606 §7.11)")
        }
        return .read
    }

    /// MP_UNREACH_NLRI: one that cannot be read is malformed (RFC 7606 §7.12). An empty one of any
    /// family is kept, as it is that family's End-of-RIB.
    private static func readUnreach(_ value: ArraySlice<UInt8>, _ decoder: inout PathAttributeDecoder) -> Reading {
        var reader = ByteReader(value)
        guard let afi = try? reader.readUInt16(), let safi = try? reader.readUInt8() else {
            return .malformed("length \(value.count) cannot hold AFI and SAFI")
        }
        let family = AFISAFI(afi: AFI(rawValue: afi), safi: SAFI(rawValue: safi))
        guard let prefixFamily = family.prefixFamily else {
            guard reader.isAtEnd else { return .unwanted("\(family) is not a family this speaker reads (RFC 4760 §7)") }
            decoder.unreach = MultiprotocolUnreach(family: family, prefixes: [])
            return .read
        }
        do throws(BGPPrefix.NLRIProblem) {
            decoder.unreach = MultiprotocolUnreach(
                family: family, prefixes: try BGPPrefix.readNLRI(reader.readRest(), family: prefixFamily))
            return .read
        } catch {
            return .malformed("withdrawn routes: \(error.text)")
        }
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
