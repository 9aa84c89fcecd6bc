@testable import BGP

/// Builders for hand-written wire bytes, so each test shows the octets it feeds the decoder.
enum WireBytes {
    /// Bytes from hex text; spaces and line breaks are ignored.
    static func hex(_ text: String) -> [UInt8] {
        let digits = text.filter { !$0.isWhitespace }.map { UInt8(String($0), radix: 16)! }
        return stride(from: 0, to: digits.count - 1, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
    }

    /// A whole message: marker, length, type, body.
    static func message(type: UInt8, body: [UInt8]) -> [UInt8] {
        let length = 19 + body.count
        return [UInt8](repeating: 0xff, count: 16) + [UInt8(length >> 8), UInt8(length & 0xff), type] + body
    }

    /// One path attribute with a 1-byte length (or 2 when `extended`).
    static func attribute(_ flags: UInt8, _ type: UInt8, _ value: [UInt8], extended: Bool = false) -> [UInt8] {
        extended
            ? [flags | 0x10, type, UInt8(value.count >> 8), UInt8(value.count & 0xff)] + value
            : [flags, type, UInt8(value.count)] + value
    }

    /// An UPDATE body from its three parts.
    static func updateBody(withdrawn: [UInt8] = [], attributes: [[UInt8]], nlri: [UInt8] = []) -> [UInt8] {
        let attributeBytes = attributes.flatMap { $0 }
        return [UInt8(withdrawn.count >> 8), UInt8(withdrawn.count & 0xff)] + withdrawn
            + [UInt8(attributeBytes.count >> 8), UInt8(attributeBytes.count & 0xff)] + attributeBytes + nlri
    }

    static let origin = attribute(0x40, 1, [0])
    static let asPath4 = attribute(0x40, 2, hex("02 02 0000fde9 0000fdea"))
    static let nextHop = attribute(0x40, 3, hex("0a000001"))
    /// 10.1.0.0/24
    static let nlri = hex("18 0a 01 00")

    static let internal4 = BGPCodecContext(fourOctetAS: true, externalPeer: false)
    static let external4 = BGPCodecContext(fourOctetAS: true, externalPeer: true)
    static let internal2 = BGPCodecContext(fourOctetAS: false, externalPeer: false)

    static func decode(_ body: [UInt8], _ context: BGPCodecContext = internal4) -> BGPUpdateOutcome {
        BGPUpdate.decode(body: body[...], context: context)
    }
}
