#if canImport(Glibc)
    import Glibc
#endif

/// Reads containers' memory figures and process lists from their cgroup files.
///
/// Every file is read with one open, read and close into a buffer the reader keeps, and
/// memory.stat is scanned for the few keys used, without building a dictionary. A container whose
/// cgroup vanishes, or whose usage file is unreadable or garbage, is skipped with an error; any
/// other file that fails costs only the figures it feeds. Not thread-safe: one reader per thread or actor.
public final class ContainerMemoryReader {
    /// The cgroup version of the memory hierarchy the containers live in.
    public let version: CgroupVersion

    private let reader: CgroupFileReader

    /// A reader for containers in a hierarchy of `version`.
    public init(version: CgroupVersion) {
        self.version = version
        reader = CgroupFileReader()
    }

    /// A reader for containers of `hierarchy`.
    public convenience init(hierarchy: CgroupHierarchy) {
        self.init(version: hierarchy.memoryVersion)
    }

    /// Reads every container; each one that cannot be read becomes a failure and the rest still come back.
    public func readAll(_ containers: [DiscoveredContainer]) -> MemoryScan {
        var scan = MemoryScan()
        scan.readings.reserveCapacity(containers.count)
        for container in containers {
            do {
                scan.readings.append(try read(container))
            } catch {
                scan.failures.append(error)
            }
        }
        return scan
    }

    /// Reads one container's figures and processes.
    public func read(_ container: DiscoveredContainer) throws(CgroupReadError) -> ContainerMemoryReading {
        var files = Files(directory: container.directory, reader: reader)
        let memory = try version == .v1 ? readV1(&files) : readV2(&files)
        let pids = try files.read("cgroup.procs", required: true) { (reader, path) throws(CgroupReadError) in
            try reader.processIDs(at: path)
        }
        return ContainerMemoryReading(
            container: container, memory: memory, processIDs: pids ?? [], problems: files.problems)
    }

    /// The v1 files, mapped as cAdvisor's libcontainer handler maps them.
    private func readV1(_ files: inout Files) throws(CgroupReadError) -> ContainerMemory {
        var memory = ContainerMemory(version: .v1, usageBytes: try files.usage("memory.usage_in_bytes"))
        // cAdvisor takes the hierarchical total_ keys unless use_hierarchy is off.
        let hierarchical = try files.unsigned("memory.use_hierarchy", required: false).map { $0 != 0 } ?? true
        if let stat = try files.memoryStat() {
            memory.rssBytes = hierarchical ? stat.totalRSS : stat.rss
            memory.cacheBytes = hierarchical ? stat.totalCache : stat.cache
            memory.swapBytes = hierarchical ? stat.totalSwap : stat.swap
            memory.mappedFileBytes = hierarchical ? stat.totalMappedFile : stat.mappedFile
            // The working set always uses total_inactive_file, whatever use_hierarchy says.
            memory.inactiveFileBytes = stat.totalInactiveFile
            memory.workingSetBytes = ContainerMemory.workingSet(
                usage: memory.usageBytes, inactiveFile: stat.totalInactiveFile)
        }
        memory.failcnt = try files.unsigned("memory.failcnt", required: true)
        memory.maxUsageBytes = try files.unsigned("memory.max_usage_in_bytes", required: true)
        memory.limitBytes = try files.unsigned("memory.limit_in_bytes", required: true).flatMap(Self.v1Limit)
        memory.reservationBytes = try files.unsigned("memory.soft_limit_in_bytes", required: true).flatMap(Self.v1Limit)
        memory.memoryAndSwapUsageBytes = try files.unsigned("memory.memsw.usage_in_bytes", required: false)
        memory.oomKills = try files.key("oom_kill", in: "memory.oom_control", required: true)
        return memory
    }

    /// The v2 files, mapped as cAdvisor's libcontainer handler maps them.
    private func readV2(_ files: inout Files) throws(CgroupReadError) -> ContainerMemory {
        var memory = ContainerMemory(version: .v2, usageBytes: try files.usage("memory.current"))
        if let stat = try files.memoryStat() {
            memory.rssBytes = stat.anon
            memory.cacheBytes = stat.file
            memory.mappedFileBytes = stat.fileMapped
            memory.inactiveFileBytes = stat.inactiveFile
            memory.workingSetBytes = ContainerMemory.workingSet(
                usage: memory.usageBytes, inactiveFile: stat.inactiveFile)
        }
        // cAdvisor's swap is libcontainer's (swap + memory) less memory, that is memory.swap.current.
        memory.swapBytes = try files.unsigned("memory.swap.current", required: false)
        memory.maxUsageBytes = try files.unsigned("memory.peak", required: false)
        memory.limitBytes = try files.limit("memory.max")
        memory.reservationBytes = try files.unsigned("memory.min", required: true)
        memory.lowBytes = try files.unsigned("memory.low", required: true)
        // memory.events counts kills in descendants too; the .local file (kernel 5.2+) only this cgroup's.
        memory.oomKills = try files.key("oom_kill", in: "memory.events.local", required: false)
        if files.lastWasMissing {
            memory.oomKills = try files.key("oom_kill", in: "memory.events", required: true)
        }
        return memory
    }

    /// A v1 limit: nil above 2^62, where the kernel's "no limit" value lies.
    private static func v1Limit(_ value: UInt64) -> UInt64? {
        value > 1 << 62 ? nil : value
    }

    /// Reads the files of one container directory, keeping the per-file problems.
    private struct Files {
        let directory: String
        let reader: CgroupFileReader
        var problems: [CgroupReadError] = []
        /// Whether the last optional read found its file missing (as opposed to present without the key).
        var lastWasMissing = false

        init(directory: String, reader: CgroupFileReader) {
            self.directory = directory
            self.reader = reader
        }

        /// The usage file: the container is skipped when it cannot be read.
        func usage(_ name: String) throws(CgroupReadError) -> UInt64 {
            do {
                return try reader.unsigned(at: directory + "/" + name)
            } catch {
                if case .vanished = error, !directoryExists { throw .vanished(path: directory) }
                throw error
            }
        }

        /// memory.stat, parsed.
        mutating func memoryStat() throws(CgroupReadError) -> MemoryStat? {
            try read("memory.stat", required: true) { (reader, path) throws(CgroupReadError) in
                try reader.withContents(of: path) { (bytes) throws(CgroupReadError) in
                    try MemoryStat(parsing: bytes, path: path)
                }
            }
        }

        /// A file holding one number.
        mutating func unsigned(_ name: String, required: Bool) throws(CgroupReadError) -> UInt64? {
            try read(name, required: required) { (reader, path) throws(CgroupReadError) in try reader.unsigned(at: path)
            }
        }

        /// A v2 limit file; nil for "max" and for a file that failed (then with a problem).
        mutating func limit(_ name: String) throws(CgroupReadError) -> UInt64? {
            let value = try read(name, required: true) { (reader, path) throws(CgroupReadError) in
                try reader.limit(at: path)
            }
            return value ?? nil
        }

        /// One key of a flat-keyed file.
        mutating func key(_ key: StaticString, in name: String, required: Bool) throws(CgroupReadError) -> UInt64? {
            let value = try read(name, required: required) { (reader, path) throws(CgroupReadError) in
                try reader.value(of: key, at: path)
            }
            return value ?? nil
        }

        /// Runs `body` on the file `name`; a failure becomes a problem, a vanished cgroup an error.
        ///
        /// Some files exist only on newer kernels or with swap accounting: when one of those
        /// (not `required`) is missing, its figure is nil and that is no problem. A `required`
        /// file is one the kernel makes in every cgroup with the memory controller, which the
        /// usage file, read first, has shown this one has; when such a file is gone, the cgroup
        /// is being removed: the kernel takes a dying cgroup's files away before its directory,
        /// so the directory may still be there while its files are not.
        mutating func read<Value>(
            _ name: String, required: Bool, _ body: (CgroupFileReader, String) throws(CgroupReadError) -> Value
        ) throws(CgroupReadError) -> Value? {
            let path = directory + "/" + name
            lastWasMissing = false
            do {
                return try body(reader, path)
            } catch {
                if case .vanished = error {
                    guard directoryExists, !required else { throw .vanished(path: directory) }
                    lastWasMissing = true
                } else {
                    problems.append(error)
                }
                return nil
            }
        }

        /// Whether the cgroup directory is still there.
        var directoryExists: Bool {
            access(directory, F_OK) == 0
        }
    }
}
