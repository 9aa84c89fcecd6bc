/// Bounds-checked reads of fixed-size integers from a perf-data buffer in the file's byte order.
///
/// Every read returns nil instead of trapping when it would run past the end, so a hostile
/// length or offset becomes a decoding error, never an out-of-bounds access.
struct HSPerfByteReader {
    let bytes: [UInt8]
    let littleEndian: Bool

    /// `count` bytes from `offset` as an unsigned integer, or nil when out of range.
    func unsigned(at offset: Int, count: Int) -> UInt64? {
        guard offset >= 0, count > 0, count <= 8, offset <= bytes.count - count else { return nil }
        var value: UInt64 = 0
        for index in 0..<count {
            let byte = UInt64(bytes[offset + (littleEndian ? count - 1 - index : index)])
            value = value << 8 | byte
        }
        return value
    }

    /// A signed 32-bit field.
    func int32(at offset: Int) -> Int32? {
        unsigned(at: offset, count: 4).map { Int32(bitPattern: UInt32(truncatingIfNeeded: $0)) }
    }

    /// A signed 64-bit field.
    func int64(at offset: Int) -> Int64? {
        unsigned(at: offset, count: 8).map { Int64(bitPattern: $0) }
    }

    /// One byte.
    func byte(at offset: Int) -> UInt8? {
        offset >= 0 && offset < bytes.count ? bytes[offset] : nil
    }
}
