/// A decoded hsperfdata file: the shared-memory counters a HotSpot JVM publishes for jstat and jcmd.
///
/// Format 2.0 (HotSpot's `PerfDataPrologue` and `PerfDataEntry`): a 32-byte prologue, then
/// `numEntries` entries from `entryOffset`, each with its own length, a NUL-terminated name and
/// a value. Every integer is in the byte order the prologue's fifth byte names. Decoding never
/// trusts a length or offset: anything outside the used bytes is a `HSPerfDataError`.
public struct HSPerfData: Sendable {
    /// Whether the file's integers are little-endian.
    public var littleEndian: Bool
    /// The format's major version (2).
    public var majorVersion: UInt8
    /// The format's minor version.
    public var minorVersion: UInt8
    /// Whether the JVM has finished setting the counters up; until then readers should wait.
    public var accessible: Bool
    /// Bytes of the buffer in use.
    public var used: Int
    /// Bytes of entries that did not fit and went to the C heap instead.
    public var overflow: Int
    /// When the set of entries last changed, in `sun.os.hrt.ticks`.
    public var modificationTimeStamp: Int64
    /// The entries in file order.
    public var entries: [HSPerfEntry]
    private var indexByName: [String: Int]

    static let prologueSize = 32
    static let entryHeaderSize = 20
    /// Larger than any `-XX:PerfDataMemorySize` a JVM would be started with; bigger files are refused.
    public static let maximumFileSize = 64 << 20

    /// Decodes `bytes`, read from `file` (named in errors).
    public init(bytes: [UInt8], file: String) throws(HSPerfDataError) {
        func fail(_ problem: HSPerfDataError.Problem) -> HSPerfDataError {
            HSPerfDataError(file: file, problem: problem)
        }
        guard bytes.count >= Self.prologueSize else { throw fail(.truncatedPrologue(size: bytes.count)) }
        // The magic is always the bytes CA FE C0 C0: HotSpot writes it in the buffer's byte order.
        let magic = HSPerfByteReader(bytes: bytes, littleEndian: false).unsigned(at: 0, count: 4) ?? 0
        guard magic == 0xcafe_c0c0 else { throw fail(.badMagic(UInt32(truncatingIfNeeded: magic))) }
        guard bytes[4] <= 1 else { throw fail(.badByteOrder(bytes[4])) }
        let reader = HSPerfByteReader(bytes: bytes, littleEndian: bytes[4] == 1)
        littleEndian = reader.littleEndian
        majorVersion = bytes[5]
        minorVersion = bytes[6]
        guard majorVersion == 2 else { throw fail(.unsupportedVersion(major: majorVersion, minor: minorVersion)) }
        accessible = bytes[7] != 0
        let usedField = Int(reader.int32(at: 8) ?? 0)
        let overflowField = Int(reader.int32(at: 12) ?? 0)
        modificationTimeStamp = reader.int64(at: 16) ?? 0
        let entryOffset = Int(reader.int32(at: 24) ?? 0)
        let numEntries = Int(reader.int32(at: 28) ?? 0)
        guard usedField >= Self.prologueSize else {
            throw fail(.badPrologueField(name: "used", value: Int64(usedField)))
        }
        guard usedField <= bytes.count else { throw fail(.truncated(used: usedField, size: bytes.count)) }
        guard overflowField >= 0 else { throw fail(.badPrologueField(name: "overflow", value: Int64(overflowField))) }
        guard entryOffset >= Self.prologueSize, entryOffset <= usedField else {
            throw fail(.badPrologueField(name: "entry_offset", value: Int64(entryOffset)))
        }
        guard numEntries >= 0 else { throw fail(.badPrologueField(name: "num_entries", value: Int64(numEntries))) }
        used = usedField
        overflow = overflowField

        // Only the used bytes hold entries; whatever follows is zero fill or garbage.
        let bounded = HSPerfByteReader(bytes: Array(bytes[0..<usedField]), littleEndian: reader.littleEndian)
        var decoded: [HSPerfEntry] = []
        var index: [String: Int] = [:]
        var offset = entryOffset
        for number in 0..<numEntries {
            let entry = try Self.entry(number, at: offset, in: bounded, file: file)
            if index[entry.entry.name] == nil { index[entry.entry.name] = decoded.count }
            decoded.append(entry.entry)
            offset += entry.length
        }
        entries = decoded
        indexByName = index
    }

    /// The entry called `name`, if the JVM publishes it.
    public subscript(name: String) -> HSPerfEntry? {
        indexByName[name].map { entries[$0] }
    }

    /// The scalar counter called `name`, if present and a number.
    public func long(_ name: String) -> Int64? {
        if case .long(let value)? = self[name]?.value { return value }
        return nil
    }

    /// The string called `name`, if present and a string.
    public func string(_ name: String) -> String? {
        if case .string(let value)? = self[name]?.value { return value }
        return nil
    }

    private static func entry(
        _ number: Int, at offset: Int, in reader: HSPerfByteReader, file: String
    ) throws(HSPerfDataError) -> (entry: HSPerfEntry, length: Int) {
        func fail(_ problem: HSPerfDataError.Problem) -> HSPerfDataError {
            HSPerfDataError(file: file, problem: problem)
        }
        let end = reader.bytes.count
        guard offset <= end - entryHeaderSize,
            let lengthField = reader.int32(at: offset), let nameField = reader.int32(at: offset + 4),
            let vectorField = reader.int32(at: offset + 8), let type = reader.byte(at: offset + 12),
            let unitsCode = reader.byte(at: offset + 14), let variabilityCode = reader.byte(at: offset + 15),
            let dataField = reader.int32(at: offset + 16)
        else { throw fail(.entryOutOfBounds(index: number, offset: offset)) }
        let length = Int(lengthField)
        guard length >= entryHeaderSize, length <= end - offset else {
            throw fail(.badEntryField(index: number, field: "entry_length", value: Int64(length)))
        }
        let nameOffset = Int(nameField)
        guard nameOffset >= entryHeaderSize, nameOffset < length else {
            throw fail(.badEntryField(index: number, field: "name_offset", value: Int64(nameOffset)))
        }
        let entryEnd = offset + length
        guard let nul = reader.bytes[(offset + nameOffset)..<entryEnd].firstIndex(of: 0) else {
            throw fail(.unterminatedName(index: number))
        }
        let name = String(decoding: reader.bytes[(offset + nameOffset)..<nul], as: UTF8.self)
        let elementSize: Int
        switch type {
        case UInt8(ascii: "J"): elementSize = 8
        case UInt8(ascii: "B"): elementSize = 1
        default: throw fail(.unknownDataType(name: name, code: type))
        }
        let vectorLength = Int(vectorField)
        let dataOffset = Int(dataField)
        // Both factors are below 2^31 and 8, so the product cannot overflow an Int.
        let dataSize = max(vectorLength, 1) * elementSize
        guard vectorLength >= 0, dataSize <= length - entryHeaderSize else {
            throw fail(.badEntryField(index: number, field: "vector_length", value: Int64(vectorLength)))
        }
        guard dataOffset >= entryHeaderSize, dataOffset <= length - dataSize else {
            throw fail(.badEntryField(index: number, field: "data_offset", value: Int64(dataOffset)))
        }
        let start = offset + dataOffset
        let units = HSPerfEntry.Units(rawValue: unitsCode) ?? .unknown
        let value: HSPerfEntry.Value
        if vectorLength == 0 {
            let raw = reader.unsigned(at: start, count: elementSize) ?? 0
            value = .long(elementSize == 8 ? Int64(bitPattern: raw) : Int64(Int8(truncatingIfNeeded: raw)))
        } else if elementSize == 1 {
            let data = reader.bytes[start..<(start + dataSize)]
            if units == .string {
                let text = data.firstIndex(of: 0).map { data[..<$0] } ?? data
                value = .string(String(decoding: text, as: UTF8.self))
            } else {
                value = .bytes(Array(data))
            }
        } else {
            value = .longs((0..<vectorLength).map { reader.int64(at: start + $0 * 8) ?? 0 })
        }
        let variability = HSPerfEntry.Variability(rawValue: variabilityCode) ?? .unknown
        return (HSPerfEntry(name: name, value: value, units: units, variability: variability), length)
    }
}
