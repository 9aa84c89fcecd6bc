#if canImport(Glibc)
    import Glibc
#endif

/// The CNI configuration directory, where Rudder owns one file and reads, never writes, the rest.
public struct CNIConfigDirectory: Sendable {
    /// The directory.
    public var path: String
    /// Rudder's file in it.
    public var fileName: String

    /// The directory at `path` with Rudder's file `fileName`.
    public init(path: String, fileName: String) {
        self.path = path
        self.fileName = fileName
    }

    /// The file's full path.
    public var filePath: String { path + "/" + fileName }

    /// The file kube-router writes, which the migration hands over.
    public static let kubeRouterFileName = "10-kuberouter.conflist"

    /// What Rudder's file holds now, or nil when there is none.
    public func current() throws(CNIConfigError) -> String? {
        let descriptor = open(filePath, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw CNIConfigError(path: filePath, operation: "read", errno: errno)
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw CNIConfigError(path: filePath, operation: "read", errno: errno) }
            if count == 0 { break }
            bytes += buffer[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Makes Rudder's file hold `text`; returns false, writing nothing, when it already does.
    ///
    /// The text goes to a temporary file in the same directory that is synced and renamed over
    /// the file, so a runtime reading the directory sees the old file or the new one, whole.
    @discardableResult
    public func write(_ text: String) throws(CNIConfigError) -> Bool {
        if try current() == text { return false }
        // A leading dot and no CNI extension: runtimes skip the temporary file while it exists.
        let temporary = path + "/." + fileName + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw CNIConfigError(path: temporary, operation: "create", errno: errno) }
        var failure: CNIConfigError?
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else {
                failure = CNIConfigError(path: temporary, operation: "write", errno: errno)
                break
            }
            bytes = bytes.dropFirst(written)
        }
        if failure == nil, fsync(descriptor) != 0 {
            failure = CNIConfigError(path: temporary, operation: "sync", errno: errno)
        }
        close(descriptor)
        if failure == nil, rename(temporary, filePath) != 0 {
            failure = CNIConfigError(path: filePath, operation: "rename into place", errno: errno)
        }
        if let failure {
            unlink(temporary)
            throw failure
        }
        return true
    }

    /// Removes Rudder's file; returns whether there was one.
    @discardableResult
    public func remove() throws(CNIConfigError) -> Bool {
        guard unlink(filePath) == 0 else {
            if errno == ENOENT { return false }
            throw CNIConfigError(path: filePath, operation: "remove", errno: errno)
        }
        return true
    }

    /// The other CNI configurations in the directory that a runtime would pick before Rudder's.
    ///
    /// libcni loads `.conf`, `.conflist` and `.json` files sorted by name and uses the first,
    /// so any such file sorting before Rudder's wins; a missing directory has none.
    public func earlierConfigurations() throws(CNIConfigError) -> [String] {
        guard let directory = opendir(path) else {
            if errno == ENOENT { return [] }
            throw CNIConfigError(path: path, operation: "list", errno: errno)
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            let isConfiguration = [".conf", ".conflist", ".json"].contains { name.hasSuffix($0) }
            if isConfiguration, name < fileName { names.append(name) }
        }
        return names.sorted()
    }
}

/// A CNI configuration file that could not be read or written: which, what was tried, and why.
public struct CNIConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file or directory.
    public var path: String
    /// What was being done.
    public var operation: String
    /// The errno.
    public var errno: Int32

    /// An error.
    public init(path: String, operation: String, errno: Int32) {
        self.path = path
        self.operation = operation
        self.errno = errno
    }

    public var description: String { "cannot \(operation) \(path): \(String(cString: strerror(errno)))" }
}
