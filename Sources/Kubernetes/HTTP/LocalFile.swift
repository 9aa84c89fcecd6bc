import KubernetesModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Small, allocation-light file access with errno-based reasons, for configuration files and tokens.
enum LocalFile {
    /// An errno and its message, for "cannot read X: reason" errors.
    struct Failure: Error {
        let reason: String
    }

    /// The identity and version of a file: a change to any field means the contents may have changed.
    struct Version: Equatable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modifiedSeconds: Int
        var modifiedNanoseconds: Int
        var changedSeconds: Int
        var changedNanoseconds: Int
    }

    /// The file's whole contents.
    static func read(_ path: String) throws(Failure) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure(reason: errnoReason()) }
        defer { close(descriptor) }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(reason: errnoReason())
            }
            if count == 0 { break }
            contents.append(contentsOf: chunk[0..<count])
        }
        return contents
    }

    /// The file's version, following symbolic links (a projected token is a link that kubelet swaps).
    static func version(_ path: String) throws(Failure) -> Version {
        var info = stat()
        guard stat(path, &info) == 0 else { throw Failure(reason: errnoReason()) }
        return Version(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
            modifiedSeconds: Int(info.st_mtim.tv_sec), modifiedNanoseconds: Int(info.st_mtim.tv_nsec),
            changedSeconds: Int(info.st_ctim.tv_sec), changedNanoseconds: Int(info.st_ctim.tv_nsec))
    }

    /// Nil when `path` is a readable file, else why not.
    static func unreadableReason(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return errnoReason() }
        if (info.st_mode & S_IFMT) == S_IFDIR { return "it is a directory" }
        guard access(path, R_OK) == 0 else { return errnoReason() }
        return nil
    }

    /// `path` made absolute against `directory` when it is relative (kubeconfig paths are relative to the file).
    static func resolve(_ path: String, against directory: String) -> String {
        if path.hasPrefix("/") || path.isEmpty { return path }
        return directory.hasSuffix("/") ? directory + path : directory + "/" + path
    }

    /// The directory part of `path`, "." for a bare file name.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    private static func errnoReason() -> String {
        String(cString: strerror(errno))
    }
}
