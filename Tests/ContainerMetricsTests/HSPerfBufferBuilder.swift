import HSPerfData

/// Writes hsperfdata buffers (format 2.0) for tests, in either byte order, so that every field
/// can be set to the value a test needs, including values no JVM would write.
struct HSPerfBufferBuilder {
    /// One entry to write.
    enum Value {
        case long(Int64)
        case string(String)
    }

    var littleEndian = true
    var entries: [(name: String, value: Value)] = []

    /// The buffer: prologue, then each entry (20-byte header, name, padding, value), then zero fill to `size`.
    func build(size: Int = 0) -> [UInt8] {
        var body: [UInt8] = []
        for entry in entries {
            var name = Array(entry.name.utf8) + [0]
            while (20 + name.count) % 8 != 0 { name.append(0) }
            let data: [UInt8]
            let vectorLength: Int32
            switch entry.value {
            case .long(let value):
                data = bytes(UInt64(bitPattern: value), count: 8)
                vectorLength = 0
            case .string(let text):
                data = Array(text.utf8) + [0]
                vectorLength = Int32(data.count)
            }
            var padded = data
            while padded.count % 8 != 0 { padded.append(0) }
            let length = 20 + name.count + padded.count
            body +=
                bytes(UInt64(length), count: 4) + bytes(20, count: 4) + bytes(UInt64(UInt32(vectorLength)), count: 4)
            if case .long = entry.value {
                body += [UInt8(ascii: "J"), 0, 2, 3]
            } else {
                body += [UInt8(ascii: "B"), 0, 5, 1]
            }
            body += bytes(UInt64(20 + name.count), count: 4) + name + padded
        }
        let used = 32 + body.count
        var buffer: [UInt8] = [0xca, 0xfe, 0xc0, 0xc0, littleEndian ? 1 : 0, 2, 0, 1]
        buffer += bytes(UInt64(used), count: 4) + bytes(0, count: 4) + bytes(12345, count: 8)
        buffer += bytes(32, count: 4) + bytes(UInt64(entries.count), count: 4) + body
        if buffer.count < size { buffer += [UInt8](repeating: 0, count: size - buffer.count) }
        return buffer
    }

    /// `value` as `count` bytes in the builder's byte order.
    func bytes(_ value: UInt64, count: Int) -> [UInt8] {
        let littleEndianBytes = (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
        return littleEndian ? littleEndianBytes : littleEndianBytes.reversed()
    }

    /// Overwrites a 32-bit field at `offset` of `buffer`.
    func patch32(_ buffer: inout [UInt8], at offset: Int, _ value: UInt32) {
        buffer.replaceSubrange(offset..<(offset + 4), with: bytes(UInt64(value), count: 4))
    }
}
