#if canImport(Glibc)
    import Glibc
#endif

/// Reading `/proc` files, which report no size and must be read until end-of-file.
enum JVMProcFile {
    /// The errno of a failed read: ENOENT and ESRCH mean the process has gone.
    struct Failure: Error {
        let errno: Int32
        /// Whether the failure only means the process exited.
        var processGone: Bool { errno == ENOENT || errno == ESRCH }
    }

    /// All bytes of `path`, up to `limit`.
    static func read(_ path: String, limit: Int = 4 << 20) throws(Failure) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(errno: errno) }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while result.count < limit {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(errno: errno)
            }
            if count == 0 { break }
            result.append(contentsOf: chunk[0..<count])
        }
        return result
    }

    /// The target of the symbolic link `path`.
    static func readLink(_ path: String) throws(Failure) -> String {
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { throw Failure(errno: errno) }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
