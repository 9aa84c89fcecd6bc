#if canImport(Glibc)
    import Glibc
#endif

/// Why an hsperfdata file could not be read or decoded: the file and the problem.
public struct HSPerfDataError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong with the file.
    public enum Problem: Equatable, Sendable {
        /// The file could not be opened or read; `errno` as the system reported it.
        case unreadable(errno: Int32)
        /// The path names a directory, FIFO or device rather than a file.
        case notARegularFile
        /// The file is larger than any JVM writes, so it is not read at all.
        case tooLarge(size: Int)
        /// The file ends before the 32-byte prologue does.
        case truncatedPrologue(size: Int)
        /// The first four bytes are not 0xCAFEC0C0.
        case badMagic(UInt32)
        /// The byte-order byte is neither 0 (big-endian) nor 1 (little-endian).
        case badByteOrder(UInt8)
        /// A format other than 2.x, the only one HotSpot has written since JDK 1.4.2.
        case unsupportedVersion(major: UInt8, minor: UInt8)
        /// The prologue claims more used bytes than the file holds: it was cut short.
        case truncated(used: Int, size: Int)
        /// A prologue field is negative or points outside the used bytes.
        case badPrologueField(name: String, value: Int64)
        /// Entry number `index` at byte `offset` does not fit in the used bytes.
        case entryOutOfBounds(index: Int, offset: Int)
        /// Entry number `index` has a field that is out of range or points outside the entry.
        case badEntryField(index: Int, field: String, value: Int64)
        /// Entry number `index` has a name that is not NUL-terminated inside the entry.
        case unterminatedName(index: Int)
        /// Entry `name` has a data type other than 'J' (long) or 'B' (byte).
        case unknownDataType(name: String, code: UInt8)

        var text: String {
            switch self {
            case .unreadable(let errno): return "cannot read: \(String(cString: strerror(errno)))"
            case .notARegularFile: return "not a regular file"
            case .tooLarge(let size): return "\(size) bytes is larger than any JVM's perf data"
            case .truncatedPrologue(let size): return "only \(size) bytes, shorter than the 32-byte prologue"
            case .badMagic(let magic): return "bad magic 0x\(String(magic, radix: 16)), expected 0xcafec0c0"
            case .badByteOrder(let value): return "bad byte order \(value), expected 0 or 1"
            case .unsupportedVersion(let major, let minor): return "unsupported format \(major).\(minor)"
            case .truncated(let used, let size): return "truncated: \(used) bytes used but only \(size) present"
            case .badPrologueField(let name, let value): return "prologue field \(name) out of range: \(value)"
            case .entryOutOfBounds(let index, let offset): return "entry \(index) at offset \(offset) runs past the end"
            case .badEntryField(let index, let field, let value):
                return "entry \(index): \(field) out of range: \(value)"
            case .unterminatedName(let index): return "entry \(index): name is not NUL-terminated"
            case .unknownDataType(let name, let code): return "entry \(name): unknown data type \(code)"
            }
        }
    }

    /// The file (or other source) that was being decoded.
    public var file: String
    /// What is wrong with it.
    public var problem: Problem

    /// An error about `file`.
    public init(file: String, problem: Problem) {
        self.file = file
        self.problem = problem
    }

    /// One line: the file and the problem.
    public var description: String { "hsperfdata \(file): \(problem.text)" }
}
