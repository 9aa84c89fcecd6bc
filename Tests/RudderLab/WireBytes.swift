/// Builders for hand-written BGP wire bytes, so each test shows the octets it feeds a decoder or
/// sends a speaker. Test targets add the attributes and decoding helpers they need in extensions.
public enum WireBytes {
    /// Bytes from hex text; spaces and line breaks are ignored.
    public static func hex(_ text: String) -> [UInt8] {
        let digits = text.filter { !$0.isWhitespace }.map { UInt8(String($0), radix: 16)! }
        return stride(from: 0, to: digits.count - 1, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
    }

    /// A whole message: marker, length, type, body.
    public static func message(type: UInt8, body: [UInt8]) -> [UInt8] {
        let length = 19 + body.count
        return [UInt8](repeating: 0xff, count: 16) + [UInt8(length >> 8), UInt8(length & 0xff), type] + body
    }

    /// One path attribute with a 1-byte length (or 2 when `extended`).
    public static func attribute(_ flags: UInt8, _ type: UInt8, _ value: [UInt8], extended: Bool = false) -> [UInt8] {
        extended
            ? [flags | 0x10, type, UInt8(value.count >> 8), UInt8(value.count & 0xff)] + value
            : [flags, type, UInt8(value.count)] + value
    }

    /// An UPDATE body from its three parts.
    public static func updateBody(withdrawn: [UInt8] = [], attributes: [[UInt8]], nlri: [UInt8] = []) -> [UInt8] {
        let attributeBytes = attributes.flatMap { $0 }
        return [UInt8(withdrawn.count >> 8), UInt8(withdrawn.count & 0xff)] + withdrawn
            + [UInt8(attributeBytes.count >> 8), UInt8(attributeBytes.count & 0xff)] + attributeBytes + nlri
    }

    /// A whole UPDATE message with these attributes and NLRI.
    public static func update(attributes: [[UInt8]], nlri: [UInt8]) -> [UInt8] {
        message(type: 2, body: updateBody(attributes: attributes, nlri: nlri))
    }

    /// ORIGIN IGP.
    public static let origin = attribute(0x40, 1, [0])
}
