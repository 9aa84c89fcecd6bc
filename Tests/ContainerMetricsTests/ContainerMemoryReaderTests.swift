import ContainerMetrics
import Foundation
import Testing

/// Memory figures from fixture cgroup files with known values, and what happens when files are bad.
@Suite struct ContainerMemoryReaderTests {
    /// memory.stat of a v1 leaf as kernel 6.x writes it (shortened), where local and total_ keys differ on purpose.
    static let v1Stat = """
        cache 1000
        rss 2000
        rss_huge 0
        shmem 0
        mapped_file 300
        swap 0
        inactive_anon 0
        active_anon 2000
        inactive_file 400
        active_file 600
        hierarchical_memory_limit 104857600
        total_cache 11000
        total_rss 22000
        total_swap 7
        total_mapped_file 3300
        total_inactive_file 4400
        total_active_file 6600

        """

    static func v1Files(usage: String = "40000\n", stat: String = v1Stat) -> [String: String] {
        [
            "memory.usage_in_bytes": usage, "memory.stat": stat, "memory.use_hierarchy": "1\n",
            "memory.failcnt": "3\n", "memory.max_usage_in_bytes": "50000\n",
            "memory.limit_in_bytes": "104857600\n", "memory.soft_limit_in_bytes": "9223372036854771712\n",
            "memory.memsw.usage_in_bytes": "40007\n",
            "memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n", "cgroup.procs": "12\n34\n",
        ]
    }

    static let v2Stat = """
        anon 5000
        file 6000
        kernel 100
        shmem 0
        file_mapped 700
        file_dirty 0
        inactive_anon 10
        active_anon 4990
        inactive_file 2500
        active_file 3500

        """

    static func v2Files() -> [String: String] {
        [
            "memory.current": "12000\n", "memory.stat": v2Stat, "memory.swap.current": "80\n",
            "memory.peak": "15000\n", "memory.max": "max\n", "memory.min": "0\n", "memory.low": "4096\n",
            "memory.events.local": "low 0\nhigh 0\nmax 5\noom 1\noom_kill 1\noom_group_kill 0\n",
            "memory.events": "low 0\nhigh 0\nmax 9\noom 3\noom_kill 3\noom_group_kill 0\n",
            "cgroup.procs": "",
        ]
    }

    static func container(_ fixture: CgroupFixture, _ name: String) -> DiscoveredContainer {
        DiscoveredContainer(
            cgroupPath: "/" + name, directory: fixture.path(name), kind: .plain, runtime: .none)
    }

    @Test func v1FiguresMapAsCAdvisorMapsThem() throws {
        let fixture = try CgroupFixture()
        defer { fixture.remove() }
        try fixture.files(in: "c", Self.v1Files())
        let reading = try ContainerMemoryReader(version: .v1).read(Self.container(fixture, "c"))
        #expect(reading.problems.isEmpty, "\(reading.problems)")
        var expected = ContainerMemory(version: .v1, usageBytes: 40000)
        expected.workingSetBytes = 40000 - 4400
        expected.rssBytes = 22000
        expected.cacheBytes = 11000
        expected.swapBytes = 7
        expected.mappedFileBytes = 3300
        expected.inactiveFileBytes = 4400
        expected.failcnt = 3
        expected.maxUsageBytes = 50000
        expected.limitBytes = 104_857_600
        expected.reservationBytes = nil
        expected.memoryAndSwapUsageBytes = 40007
        expected.oomKills = 2
        #expect(reading.memory == expected)
        #expect(reading.processIDs == [12, 34])
    }

    /// With use_hierarchy off cAdvisor takes the local keys, but still total_inactive_file for the working set.
    @Test func v1WithoutHierarchyUsesLocalKeys() throws {
        let fixture = try CgroupFixture()
        defer { fixture.remove() }
        var files = Self.v1Files()
        files["memory.use_hierarchy"] = "0\n"
        try fixture.files(in: "c", files)
        let memory = try ContainerMemoryReader(version: .v1).read(Self.container(fixture, "c")).memory
        #expect(memory.rssBytes == 2000 && memory.cacheBytes == 1000 && memory.mappedFileBytes == 300)
        #expect(memory.swapBytes == 0)
        #expect(memory.workingSetBytes == 40000 - 4400)
    }

    @Test func v2FiguresMapAsCAdvisorMapsThem() throws {
        let fixture = try CgroupFixture()
        defer { fixture.remove() }
        try fixture.files(in: "c", Self.v2Files())
        let reading = try ContainerMemoryReader(version: .v2).read(Self.container(fixture, "c"))
        #expect(reading.problems.isEmpty, "\(reading.problems)")
        var expected = ContainerMemory(version: .v2, usageBytes: 12000)
        expected.workingSetBytes = 12000 - 2500
        expected.rssBytes = 5000
        expected.cacheBytes = 6000
        expected.swapBytes = 80
        expected.mappedFileBytes = 700
        expected.inactiveFileBytes = 2500
        expected.maxUsageBytes = 15000
        expected.limitBytes = nil
        expected.reservationBytes = 0
        expected.lowBytes = 4096
        expected.oomKills = 1
        #expect(reading.memory == expected)
        #expect(reading.processIDs.isEmpty)
    }

    /// Files of newer kernels or of swap accounting may be missing: nil, no problem. Without
    /// memory.events.local the kill count comes from memory.events.
    @Test func v2OptionalFilesMayBeMissing() throws {
        let fixture = try CgroupFixture()
        defer { fixture.remove() }
        var files = Self.v2Files()
        for name in ["memory.swap.current", "memory.peak", "memory.events.local"] { files[name] = nil }
        files["memory.max"] = "268435456\n"
        try fixture.files(in: "c", files)
        let reading = try ContainerMemoryReader(version: .v2).read(Self.container(fixture, "c"))
        #expect(reading.problems.isEmpty, "\(reading.problems)")
        #expect(reading.memory.swapBytes == nil && reading.memory.maxUsageBytes == nil)
        #expect(reading.memory.limitBytes == 268_435_456)
        #expect(reading.memory.oomKills == 3)
    }

    /// Inactive file pages above usage (seen while pages move between cgroups) floor the working set at 0.
    @Test func workingSetIsFlooredAtZero() throws {
        let fixture = try CgroupFixture()
        defer { fixture.remove() }
        try fixture.files(in: "c", Self.v1Files(usage: "1000\n"))
        let memory = try ContainerMemoryReader(version: .v1).read(Self.container(fixture, "c")).memory
        #expect(memory.workingSetBytes == 0)
        #expect(ContainerMemory.workingSet(usage: 10, inactiveFile: nil) == 10)
    }

    /// A garbage value costs only its own figure, and the problem names the file.
    @Test(arguments: [
        ("memory.failcnt", "3x\n"),
        ("memory.limit_in_bytes", "-1\n"),
        ("memory.max_usage_in_bytes", "99999999999999999999999\n"),
        ("memory.oom_control", "oom_kill many\n"),
        ("memory.oom_control", "oom_kill\n"),
    ])
    func garbageValueSkipsOneFigure(file: String, contents: String) throws {
        let figures: [String: KeyPath<ContainerMemory, UInt64?>] = [
            "memory.failcnt": \.failcnt, "memory.limit_in_bytes": \.limitBytes,
            "memory.max_usage_in_bytes": \.maxUsageBytes, "memory.oom_control": \.oomKills,
        ]
        let figure = try #require(figures[file])
        let fixture = try CgroupFixture()
        defer { fixture.remove() }
        var files = Self.v1Files()
        files[file] = contents
        try fixture.files(in: "c", files)
        let reading = try ContainerMemoryReader(version: .v1).read(Self.container(fixture, "c"))
        #expect(reading.memory[keyPath: figure] == nil)
        let problem = try #require(reading.problems.first)
        #expect(reading.problems.count == 1)
        guard case .malformed(let path, _) = problem else {
            Issue.record("expected malformed, got \(problem)")
            return
        }
        #expect(path == fixture.path("c/\(file)"))
        #expect(reading.memory.usageBytes == 40000 && reading.memory.rssBytes == 22000)
    }

    /// A bad memory.stat loses the figures it feeds (the working set too), nothing else.
    @Test(arguments: ["total_rss lots\n", "no-separator-line\n", "total_inactive_file 18446744073709551616\n"])
    func badMemoryStatSkipsItsFigures(stat: String) throws {
        let fixture = try CgroupFixture()
        defer { fixture.remove() }
        try fixture.files(in: "c", Self.v1Files(stat: "cache 1\n" + stat))
        let reading = try ContainerMemoryReader(version: .v1).read(Self.container(fixture, "c"))
        #expect(reading.memory.rssBytes == nil && reading.memory.workingSetBytes == nil)
        #expect(reading.memory.limitBytes == 104_857_600)
        #expect(reading.problems.map(\.path) == [fixture.path("c/memory.stat")])
    }

    /// A value of a key the figures do not use is not parsed, so it cannot spoil the file.
    @Test func unusedStatKeysAreNotParsed() throws {
        let fixture = try CgroupFixture()
        defer { fixture.remove() }
        try fixture.files(in: "c", Self.v1Files(stat: Self.v1Stat + "future_key not-a-number\n"))
        let reading = try ContainerMemoryReader(version: .v1).read(Self.container(fixture, "c"))
        #expect(reading.problems.isEmpty)
        #expect(reading.memory.rssBytes == 22000)
    }

    /// A file that cannot be read (here a directory where the file should be: EISDIR) is a problem naming it.
    @Test func unreadableFileIsAProblem() throws {
        let fixture = try CgroupFixture()
        defer { fixture.remove() }
        var files = Self.v1Files()
        files["memory.stat"] = nil
        try fixture.files(in: "c", files)
        try fixture.directory("c/memory.stat")
        let reading = try ContainerMemoryReader(version: .v1).read(Self.container(fixture, "c"))
        #expect(reading.problems == [.unreadable(path: fixture.path("c/memory.stat"), errno: EISDIR)])
        #expect(reading.memory.usageBytes == 40000 && reading.memory.failcnt == 3)
    }

    /// One vanished container and one with a garbage usage are skipped; the others come back.
    @Test func badContainersAreSkippedOthersRead() throws {
        let fixture = try CgroupFixture()
        defer { fixture.remove() }
        for name in ["a", "b", "c", "d"] { try fixture.files(in: name, Self.v1Files()) }
        try fixture.file("c/memory.usage_in_bytes", "garbage\n")
        let containers = ["a", "b", "c", "d"].map { Self.container(fixture, $0) }
        // The cgroup goes away between discovery and reading, as a stopping container's does.
        try fixture.removeItem("b")
        let scan = ContainerMemoryReader(version: .v1).readAll(containers)
        #expect(scan.readings.map(\.container.cgroupPath) == ["/a", "/d"])
        #expect(scan.failures.count == 2)
        #expect(scan.failures.first == .vanished(path: fixture.path("b")))
        guard case .malformed(let path, let problem) = scan.failures.last else {
            Issue.record("expected malformed usage, got \(scan.failures)")
            return
        }
        #expect(path == fixture.path("c/memory.usage_in_bytes"))
        #expect(problem.contains("garbage"))
    }

    /// The kernel takes a dying cgroup's files away before its directory: a file every memory
    /// cgroup has, gone while the directory stays, means the cgroup is going. It is skipped as
    /// vanished rather than served with half its figures (no limit, then, would read as 0).
    @Test(arguments: ["memory.stat", "memory.limit_in_bytes", "memory.oom_control", "cgroup.procs"])
    func requiredFileGoneMeansTheCgroupIsGoing(file: String) throws {
        let fixture = try CgroupFixture()
        defer { fixture.remove() }
        var files = Self.v1Files()
        files[file] = nil
        try fixture.files(in: "c", files)
        let scan = ContainerMemoryReader(version: .v1).readAll([Self.container(fixture, "c")])
        #expect(scan.readings.isEmpty)
        #expect(scan.failures == [.vanished(path: fixture.path("c"))])
    }

    /// Hostile process lists: non-numbers, zero, or IDs beyond pid_t are rejected, not trapped on.
    @Test(arguments: ["12\nabc\n", "0\n", "2147483648\n", "18446744073709551616\n"])
    func badProcessListIsAProblem(procs: String) throws {
        let fixture = try CgroupFixture()
        defer { fixture.remove() }
        var files = Self.v1Files()
        files["cgroup.procs"] = procs
        try fixture.files(in: "c", files)
        let reading = try ContainerMemoryReader(version: .v1).read(Self.container(fixture, "c"))
        #expect(reading.processIDs.isEmpty)
        #expect(reading.problems.map(\.path) == [fixture.path("c/cgroup.procs")])
    }

    /// A file bigger than the reader's first buffer is read whole.
    @Test func largeFileGrowsTheBuffer() throws {
        let fixture = try CgroupFixture()
        defer { fixture.remove() }
        var files = Self.v1Files()
        let pids = (1...20000).map { Int32($0) }
        files["cgroup.procs"] = pids.map { "\($0)\n" }.joined()
        try fixture.files(in: "c", files)
        let reading = try ContainerMemoryReader(version: .v1).read(Self.container(fixture, "c"))
        #expect(reading.processIDs == pids)
    }
}
