#if canImport(Glibc)
    import Glibc
#endif

/// Reads small cgroup and proc files with one open, read and close each, into one reused buffer.
///
/// A scrape reads thousands of files; reading through Foundation would allocate a `Data` and a
/// `String` per file. Not thread-safe: give each reading thread or actor its own reader.
public final class CgroupFileReader {
    /// The largest file accepted; a cgroup.procs of 100,000 processes is about 700 KB.
    public static let maximumSize = 16 << 20

    private var buffer: UnsafeMutableRawBufferPointer

    /// A reader whose buffer starts at `initialCapacity` bytes and grows when a file needs more.
    public init(initialCapacity: Int = 16 << 10) {
        buffer = .allocate(byteCount: max(initialCapacity, 64), alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// Reads the whole file at `path` and hands its bytes to `body`, valid only during the call.
    public func withContents<Result>(
        of path: String, _ body: (UnsafeRawBufferPointer) throws(CgroupReadError) -> Result
    ) throws(CgroupReadError) -> Result {
        let descriptor = path.withCString { open($0, O_RDONLY | O_CLOEXEC) }
        guard descriptor >= 0 else { throw .from(errno: errno, path: path) }
        defer { close(descriptor) }
        var length = 0
        while true {
            if length == buffer.count {
                guard buffer.count < Self.maximumSize else {
                    throw .malformed(path: path, problem: "longer than \(Self.maximumSize) bytes")
                }
                grow()
            }
            let count = read(descriptor, buffer.baseAddress! + length, buffer.count - length)
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw .from(errno: errno, path: path)
            }
            length += count
        }
        return try body(UnsafeRawBufferPointer(rebasing: buffer[0..<length]))
    }

    /// The single unsigned number a file such as memory.usage_in_bytes holds.
    public func unsigned(at path: String) throws(CgroupReadError) -> UInt64 {
        try withContents(of: path) { (bytes) throws(CgroupReadError) -> UInt64 in
            let range = CgroupText.trim(bytes, 0..<bytes.count)
            guard let value = CgroupText.unsigned(bytes, range) else {
                throw .malformed(path: path, problem: "expected a number, found \(CgroupText.quoted(bytes, range))")
            }
            return value
        }
    }

    /// A cgroup v2 limit file such as memory.max: a number, or nil for "max" (no limit).
    public func limit(at path: String) throws(CgroupReadError) -> UInt64? {
        try withContents(of: path) { (bytes) throws(CgroupReadError) -> UInt64? in
            let range = CgroupText.trim(bytes, 0..<bytes.count)
            if CgroupText.equals(bytes, range, "max") { return nil }
            guard let value = CgroupText.unsigned(bytes, range) else {
                throw .malformed(
                    path: path, problem: "expected a number or \"max\", found \(CgroupText.quoted(bytes, range))")
            }
            return value
        }
    }

    /// The value of `key` in a flat-keyed file such as memory.events or memory.oom_control; nil when absent.
    public func value(of key: StaticString, at path: String) throws(CgroupReadError) -> UInt64? {
        try withContents(of: path) { (bytes) throws(CgroupReadError) -> UInt64? in
            var found: UInt64?
            try CgroupText.forEachLine(bytes) { (line) throws(CgroupReadError) in
                guard let (name, value) = CgroupText.keyValue(bytes, line) else {
                    throw .malformed(path: path, problem: "line \(CgroupText.quoted(bytes, line)) is not \"key value\"")
                }
                guard CgroupText.equals(bytes, name, key) else { return }
                guard let number = CgroupText.unsigned(bytes, value) else {
                    throw .malformed(path: path, problem: "\(key) is \(CgroupText.quoted(bytes, value)), not a number")
                }
                found = number
            }
            return found
        }
    }

    /// The process IDs listed one a line in a cgroup.procs file.
    public func processIDs(at path: String) throws(CgroupReadError) -> [Int32] {
        try withContents(of: path) { (bytes) throws(CgroupReadError) -> [Int32] in
            var pids: [Int32] = []
            try CgroupText.forEachLine(bytes) { (line) throws(CgroupReadError) in
                let range = CgroupText.trim(bytes, line)
                guard let value = CgroupText.unsigned(bytes, range), value > 0, value <= UInt64(Int32.max) else {
                    throw .malformed(path: path, problem: "process ID \(CgroupText.quoted(bytes, range))")
                }
                pids.append(Int32(value))
            }
            return pids
        }
    }

    /// Doubles the buffer, keeping what it holds.
    private func grow() {
        let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 16)
        larger.copyMemory(from: UnsafeRawBufferPointer(buffer))
        buffer.deallocate()
        buffer = larger
    }
}
