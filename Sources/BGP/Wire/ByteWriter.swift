/// Appends big-endian fields to a growing byte array, with length fields patched in afterwards.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 64) {
        bytes.reserveCapacity(capacity)
    }

    var count: Int { bytes.count }

    /// Empties the writer, keeping its storage for the next value.
    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
    }

    mutating func writeUInt8(_ value: UInt8) {
        bytes.append(value)
    }

    mutating func writeUInt16(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    mutating func writeUInt32(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> shift)) }
    }

    mutating func write(_ data: some Sequence<UInt8>) {
        bytes.append(contentsOf: data)
    }

    /// Writes a two-byte placeholder and returns where it is, for `patchUInt16(at:_:)`.
    mutating func reserveUInt16() -> Int {
        bytes.append(contentsOf: [0, 0])
        return bytes.count - 2
    }

    mutating func patchUInt16(at offset: Int, _ value: UInt16) {
        bytes[offset] = UInt8(truncatingIfNeeded: value >> 8)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: value)
    }
}
