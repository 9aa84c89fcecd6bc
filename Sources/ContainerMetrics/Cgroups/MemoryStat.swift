/// The keys of a memory.stat file that the memory figures use, parsed without building a dictionary.
///
/// cgroup v1 writes both this cgroup's own counters (`rss`, `cache`, …) and hierarchical ones
/// (`total_rss`, `total_cache`, …); cgroup v2 writes only hierarchical ones under other names
/// (`anon`, `file`, `file_mapped`, `inactive_file`). Keys absent from the file stay nil; keys
/// the figures do not use are skipped without parsing their values.
public struct MemoryStat: Sendable, Equatable {
    /// v1 `rss`: anonymous memory and swap cache of this cgroup alone.
    public var rss: UInt64?
    /// v1 `cache`: page cache of this cgroup alone.
    public var cache: UInt64?
    /// v1 `swap`: swap used by this cgroup alone (present only with swap accounting).
    public var swap: UInt64?
    /// v1 `mapped_file`: mapped page cache of this cgroup alone.
    public var mappedFile: UInt64?
    /// v1 and v2 `inactive_file`: this cgroup's alone on v1, hierarchical on v2.
    public var inactiveFile: UInt64?
    /// v1 `total_rss`: `rss` summed over this cgroup and its descendants.
    public var totalRSS: UInt64?
    /// v1 `total_cache`.
    public var totalCache: UInt64?
    /// v1 `total_swap`.
    public var totalSwap: UInt64?
    /// v1 `total_mapped_file`.
    public var totalMappedFile: UInt64?
    /// v1 `total_inactive_file`.
    public var totalInactiveFile: UInt64?
    /// v2 `anon`: anonymous memory.
    public var anon: UInt64?
    /// v2 `file`: page cache.
    public var file: UInt64?
    /// v2 `file_mapped`: mapped page cache.
    public var fileMapped: UInt64?

    /// An empty set of counters.
    public init() {}

    /// Parses the bytes of a memory.stat file; `path` names the file in errors.
    ///
    /// A line without a "key value" shape, or a used key whose value is not a number, rejects the file.
    public init(parsing bytes: UnsafeRawBufferPointer, path: String) throws(CgroupReadError) {
        self.init()
        var stat = self
        try CgroupText.forEachLine(bytes) { (line) throws(CgroupReadError) in
            guard let (key, valueRange) = CgroupText.keyValue(bytes, line) else {
                throw .malformed(path: path, problem: "line \(CgroupText.quoted(bytes, line)) is not \"key value\"")
            }
            guard let field = Self.field(named: bytes, key) else { return }
            guard let value = CgroupText.unsigned(bytes, valueRange) else {
                throw .malformed(
                    path: path,
                    problem: "\(CgroupText.quoted(bytes, key)) is \(CgroupText.quoted(bytes, valueRange)), not a number"
                )
            }
            stat[keyPath: field] = value
        }
        self = stat
    }

    /// The property a key fills, or nil for a key the figures do not use.
    private static func field(named bytes: UnsafeRawBufferPointer, _ key: Range<Int>) -> WritableKeyPath<Self, UInt64?>?
    {
        // The length check first keeps the common case (an unused key) to one comparison.
        switch key.count {
        case 3:
            if CgroupText.equals(bytes, key, "rss") { return \.rss }
        case 4:
            if CgroupText.equals(bytes, key, "swap") { return \.swap }
            if CgroupText.equals(bytes, key, "anon") { return \.anon }
            if CgroupText.equals(bytes, key, "file") { return \.file }
        case 5:
            if CgroupText.equals(bytes, key, "cache") { return \.cache }
        case 9:
            if CgroupText.equals(bytes, key, "total_rss") { return \.totalRSS }
        case 10:
            if CgroupText.equals(bytes, key, "total_swap") { return \.totalSwap }
        case 11:
            if CgroupText.equals(bytes, key, "mapped_file") { return \.mappedFile }
            if CgroupText.equals(bytes, key, "total_cache") { return \.totalCache }
            if CgroupText.equals(bytes, key, "file_mapped") { return \.fileMapped }
        case 13:
            if CgroupText.equals(bytes, key, "inactive_file") { return \.inactiveFile }
        case 17:
            if CgroupText.equals(bytes, key, "total_mapped_file") { return \.totalMappedFile }
        case 19:
            if CgroupText.equals(bytes, key, "total_inactive_file") { return \.totalInactiveFile }
        default:
            break
        }
        return nil
    }
}
