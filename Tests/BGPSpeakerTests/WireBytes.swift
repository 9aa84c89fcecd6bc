/// Hand-written UPDATE bytes, so a malformed-message test shows the octets it sends.
enum WireBytes {
    /// Bytes from hex text; spaces are ignored.
    static func hex(_ text: String) -> [UInt8] {
        let digits = text.filter { !$0.isWhitespace }.compactMap { UInt8(String($0), radix: 16) }
        return stride(from: 0, to: digits.count - 1, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
    }

    /// One path attribute with a 1-byte length.
    static func attribute(_ flags: UInt8, _ type: UInt8, _ value: [UInt8]) -> [UInt8] {
        [flags, type, UInt8(value.count)] + value
    }

    /// A whole UPDATE message with these attributes and NLRI.
    static func update(attributes: [[UInt8]], nlri: [UInt8]) -> [UInt8] {
        let attributeBytes = attributes.flatMap { $0 }
        let body = [0, 0, UInt8(attributeBytes.count >> 8), UInt8(attributeBytes.count & 0xff)] + attributeBytes + nlri
        let length = 19 + body.count
        return [UInt8](repeating: 0xff, count: 16) + [UInt8(length >> 8), UInt8(length & 0xff), 2] + body
    }

    static let origin = attribute(0x40, 1, [0])
    /// AS_PATH of AS 65002, 4-octet.
    static let asPath = attribute(0x40, 2, hex("02 01 0000fdea"))
    /// NEXT_HOP 10.0.0.2.
    static let nextHop = attribute(0x40, 3, hex("0a000002"))
    /// 10.9.0.0/24.
    static let nlri = hex("18 0a 09 00")
}
