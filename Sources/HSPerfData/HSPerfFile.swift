#if canImport(Glibc)
    import Glibc
#endif

/// Reading a JVM's hsperfdata file from disk.
public enum HSPerfFile {
    /// Reads `path` with one `read` call and decodes it.
    ///
    /// One read keeps the copy as close to a single moment as the kernel allows: the JVM keeps
    /// writing counters while we read, and the file is small (32 KiB by default).
    public static func read(path: String) throws(HSPerfDataError) -> HSPerfData {
        let bytes = try readBytes(path: path)
        return try HSPerfData(bytes: bytes, file: path)
    }

    /// The bytes of `path`, read with one `read` call after sizing the buffer with `fstat`.
    public static func readBytes(path: String) throws(HSPerfDataError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else { throw HSPerfDataError(file: path, problem: .unreadable(errno: errno)) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw HSPerfDataError(file: path, problem: .unreadable(errno: errno)) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw HSPerfDataError(file: path, problem: .notARegularFile)
        }
        let size = Int(info.st_size)
        guard size <= HSPerfData.maximumFileSize else {
            throw HSPerfDataError(file: path, problem: .tooLarge(size: size))
        }
        var bytes = [UInt8](repeating: 0, count: size)
        let count = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard count >= 0 else { throw HSPerfDataError(file: path, problem: .unreadable(errno: errno)) }
        return Array(bytes[0..<count])
    }
}
