import IPVS

#if canImport(Glibc)
    import Glibc
#endif

/// The IPVS services Rudder created, kept in a file so that a restarted Rudder adopts them.
///
/// One line per virtual service: "tcp 10.96.0.10 80 default/web" (the Service's name last).
///
/// IPVS has no field that says who made a service, so the record is the only proof of
/// ownership: a service missing from it is never changed. The file lives on /run by default:
/// after a reboot the kernel's IPVS table is empty too.
public struct OwnershipRecord: Sendable {
    /// The file, or nil to keep the record in memory only (tests).
    public let path: String?

    /// The default location.
    public static let defaultPath = "/run/rudder/ipvs-services"

    /// A record at `path`.
    public init(path: String?) {
        self.path = path
    }

    /// The keys recorded, with the Service each belongs to; an unreadable line is skipped (the
    /// virtual service then counts as foreign).
    public func load() -> [IPVSServiceKey: String] {
        guard let path, let file = fopen(path, "r") else { return [:] }
        defer { fclose(file) }
        var keys: [IPVSServiceKey: String] = [:]
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        while getline(&line, &capacity, file) > 0, let line {
            let fields = String(cString: line).trimmingNewline().split(separator: " ", maxSplits: 3)
            guard fields.count >= 3, let key = ServiceKeyText.parse(fields[0...2].joined(separator: " ")) else {
                continue
            }
            keys[key] = fields.count == 4 ? String(fields[3]) : ""
        }
        free(line)
        return keys
    }

    /// Writes the keys and their Services' names atomically (a temporary file renamed over the old one).
    public func save(_ keys: [IPVSServiceKey: String]) throws {
        guard let path else { return }
        let directory = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        if !directory.isEmpty { mkdir(directory, 0o700) }
        let temporary = path + ".tmp"
        guard let file = fopen(temporary, "w") else {
            throw OwnershipRecordError(path: temporary, errno: errno)
        }
        for key in keys.keys.sorted() { fputs("\(ServiceKeyText.format(key)) \(keys[key]!)\n", file) }
        let flushed = fflush(file) == 0 && fsync(fileno(file)) == 0
        fclose(file)
        guard flushed, rename(temporary, path) == 0 else { throw OwnershipRecordError(path: path, errno: errno) }
    }
}

/// The ownership record could not be written.
public struct OwnershipRecordError: Error, CustomStringConvertible {
    /// The file.
    public var path: String
    /// The errno.
    public var errno: Int32

    public var description: String {
        "cannot write the IPVS ownership record \(path): \(String(cString: strerror(errno)))"
    }
}

extension String {
    fileprivate func trimmingNewline() -> String {
        var text = self
        while text.last == "\n" || text.last == "\r" { text.removeLast() }
        return text
    }
}
