/// A cursor over received bytes whose every read is bounds-checked: asking for more than is left
/// throws instead of trapping, so hostile lengths can only produce errors.
struct ByteReader {
    /// The input ended before a field it promised.
    struct Truncated: Error {}

    private(set) var bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
    }

    var remaining: Int { bytes.count }
    var isAtEnd: Bool { bytes.isEmpty }

    mutating func readUInt8() throws(Truncated) -> UInt8 {
        guard let byte = bytes.popFirst() else { throw Truncated() }
        return byte
    }

    mutating func readUInt16() throws(Truncated) -> UInt16 {
        guard bytes.count >= 2 else { throw Truncated() }
        let start = bytes.startIndex
        let value = UInt16(bytes[start]) << 8 | UInt16(bytes[start + 1])
        bytes = bytes.dropFirst(2)
        return value
    }

    mutating func readUInt32() throws(Truncated) -> UInt32 {
        guard bytes.count >= 4 else { throw Truncated() }
        var value: UInt32 = 0
        for byte in bytes.prefix(4) { value = value << 8 | UInt32(byte) }
        bytes = bytes.dropFirst(4)
        return value
    }

    /// The next `count` bytes; a negative or too large count throws.
    mutating func read(_ count: Int) throws(Truncated) -> ArraySlice<UInt8> {
        guard count >= 0, count <= bytes.count else { throw Truncated() }
        let part = bytes.prefix(count)
        bytes = bytes.dropFirst(count)
        return part
    }

    /// Everything that is left.
    mutating func readRest() -> ArraySlice<UInt8> {
        let rest = bytes
        bytes = bytes.suffix(0)
        return rest
    }
}
