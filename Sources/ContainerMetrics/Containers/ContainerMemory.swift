/// One container's memory figures, computed the way cAdvisor computes them, in bytes.
///
/// Each property names the cAdvisor metric it matches and the files it comes from. Optionals are
/// nil when the cgroup version has no such file, when the kernel does not write the key, or when
/// that one file could not be read (the reading then lists the problem).
public struct ContainerMemory: Sendable, Equatable {
    /// Which cgroup version the figures were read from.
    public var version: CgroupVersion

    /// `container_memory_usage_bytes`: v1 memory.usage_in_bytes, v2 memory.current.
    public var usageBytes: UInt64

    /// `container_memory_working_set_bytes`: usage minus inactive file pages, floored at 0.
    ///
    /// The inactive file count is v1 memory.stat `total_inactive_file` or v2 `inactive_file`; when
    /// memory.stat lacks the key it is usage itself, as in cAdvisor; nil when memory.stat could not be read.
    public var workingSetBytes: UInt64?

    /// `container_memory_rss`: v1 memory.stat `total_rss` (`rss` without use_hierarchy), v2 `anon`.
    public var rssBytes: UInt64?

    /// `container_memory_cache`: v1 memory.stat `total_cache` (`cache`), v2 `file`.
    public var cacheBytes: UInt64?

    /// `container_memory_swap`: v1 memory.stat `total_swap` (`swap`), v2 memory.swap.current.
    ///
    /// nil without swap accounting (cAdvisor reports 0 then).
    public var swapBytes: UInt64?

    /// `container_memory_mapped_file`: v1 memory.stat `total_mapped_file` (`mapped_file`), v2 `file_mapped`.
    public var mappedFileBytes: UInt64?

    /// The inactive file pages subtracted for the working set.
    public var inactiveFileBytes: UInt64?

    /// `container_memory_failcnt`: v1 memory.failcnt, how often usage hit the limit.
    ///
    /// nil on v2, which has no such counter (cAdvisor reports 0 there).
    public var failcnt: UInt64?

    /// `container_memory_max_usage_bytes`: v1 memory.max_usage_in_bytes, v2 memory.peak (kernel 5.19+).
    public var maxUsageBytes: UInt64?

    /// `container_spec_memory_limit_bytes`: v1 memory.limit_in_bytes, v2 memory.max; nil means no limit.
    ///
    /// v1 writes "no limit" as a huge number (9223372036854771712 with 4 KiB pages); any value above
    /// 2^62 is taken as no limit, the threshold at which cAdvisor's exporter reports 0.
    public var limitBytes: UInt64?

    /// `container_spec_memory_reservation_limit_bytes`: v1 memory.soft_limit_in_bytes, v2 memory.min
    /// (the file cAdvisor reads); nil means none (v1's huge "unlimited" value).
    public var reservationBytes: UInt64?

    /// v2 memory.low, the best-effort protection that runc sets for a memory reservation; nil on v1.
    public var lowBytes: UInt64?

    /// v1 memory.memsw.usage_in_bytes (memory plus swap), when swap accounting is on; nil on v2.
    public var memoryAndSwapUsageBytes: UInt64?

    /// `container_oom_events_total`: OOM kills in this cgroup, v1 memory.oom_control `oom_kill`,
    /// v2 memory.events.local `oom_kill` (memory.events on kernels without it).
    ///
    /// cAdvisor counts OOM kills it sees in the kernel log; the kernel's own counter gives the same
    /// number without parsing logs, and also counts kills that happened before the agent started.
    public var oomKills: UInt64?

    /// Figures whose optional parts are all unknown.
    public init(version: CgroupVersion, usageBytes: UInt64) {
        self.version = version
        self.usageBytes = usageBytes
    }

    /// Usage less inactive file pages, never below zero, exactly as cAdvisor computes it.
    public static func workingSet(usage: UInt64, inactiveFile: UInt64?) -> UInt64 {
        guard let inactiveFile else { return usage }
        return usage < inactiveFile ? 0 : usage - inactiveFile
    }
}
