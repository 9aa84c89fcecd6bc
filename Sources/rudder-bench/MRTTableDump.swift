import Foundation

/// Writes an MRT TABLE_DUMP_V2 file (RFC 6396) of IPv4 /24s, one peer, ORIGIN IGP, an empty
/// AS_PATH and next hop 0.0.0.0: the fastest way to load a large table into gobgpd
/// (`gobgp mrt inject global FILE`), which cannot originate routes from its configuration and
/// takes one `gobgp global rib add` process per route otherwise.
struct MRTTableDump {
    /// The /24s' network addresses as 32-bit numbers.
    var networks: [UInt32]

    /// The file's bytes. `gobgp mrt inject` 3.10 drops the last few records of a file, so the
    /// last route is repeated `trailingRepeats` times: repeats replace the same path and add nothing.
    func bytes(trailingRepeats: Int = 2048) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity((networks.count + trailingRepeats) * 40 + 64)
        // PEER_INDEX_TABLE: collector ID, empty view name, one peer (type 2: 4-octet AS, IPv4).
        var peerTable: [UInt8] = []
        Self.append32(0x0a00_0001, to: &peerTable)
        Self.append16(0, to: &peerTable)
        Self.append16(1, to: &peerTable)
        peerTable.append(0x02)
        Self.append32(0x0a00_0001, to: &peerTable)
        Self.append32(0x0a00_0001, to: &peerTable)
        Self.append32(65020, to: &peerTable)
        Self.record(subtype: 1, body: peerTable, to: &out)
        // ORIGIN IGP, AS_PATH empty, NEXT_HOP 0.0.0.0 (gobgpd puts its own address on eBGP).
        let attributes: [UInt8] = [0x40, 1, 1, 0, 0x40, 2, 0, 0x40, 3, 4, 0, 0, 0, 0]
        var sequence: UInt32 = 0
        let all = networks + Array(repeating: networks.last ?? 0, count: networks.isEmpty ? 0 : trailingRepeats)
        for network in all {
            var rib: [UInt8] = []
            Self.append32(sequence, to: &rib)
            sequence &+= 1
            rib.append(24)
            rib += [UInt8(network >> 24), UInt8(network >> 16 & 0xff), UInt8(network >> 8 & 0xff)]
            Self.append16(1, to: &rib)
            Self.append16(0, to: &rib)
            Self.append32(0, to: &rib)
            Self.append16(UInt16(attributes.count), to: &rib)
            rib += attributes
            Self.record(subtype: 2, body: rib, to: &out)
        }
        return out
    }

    /// An MRT record: timestamp, type 13 (TABLE_DUMP_V2), subtype, length, body.
    private static func record(subtype: UInt16, body: [UInt8], to out: inout [UInt8]) {
        append32(0, to: &out)
        append16(13, to: &out)
        append16(subtype, to: &out)
        append32(UInt32(body.count), to: &out)
        out += body
    }

    private static func append16(_ value: UInt16, to out: inout [UInt8]) {
        out += [UInt8(value >> 8), UInt8(value & 0xff)]
    }

    private static func append32(_ value: UInt32, to out: inout [UInt8]) {
        out += [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }
}
