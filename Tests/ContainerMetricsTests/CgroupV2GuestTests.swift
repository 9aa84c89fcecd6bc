import ContainerMetrics
import Foundation
import GuestTesting
import RudderLab
import Testing

/// The same checks on cgroup v2, inside a User-Mode Linux guest that mounts cgroup2 at /sys/fs/cgroup.
///
/// On the host each test boots a guest running this bundle filtered to the same test; in the guest
/// (`UserModeLinux.isGuest`) it does the cgroup work.
@Suite struct CgroupV2GuestTests {
    // Both skip only where linux.uml cannot run (not root, or user-mode-linux missing, which the
    // test command installs): cgroup v2 exists here only inside the guest.
    @Test(.userModeLinux, .inGuest())
    func figuresOfRunningContainersInGuest() async throws {
        try #require(try CgroupHierarchy.detect().memoryVersion == .v2)
        try await LiveCgroupScenarios.figuresOfRunningContainers()
    }

    @Test(.userModeLinux, .inGuest())
    func oomKillIsCountedInGuest() async throws {
        let hierarchy = try CgroupHierarchy.detect()
        try #require(hierarchy.memoryVersion == .v2 && hierarchy.mode == .unified)
        try await LiveCgroupScenarios.oomKillIsCounted()
    }

    /// Two OpenJDK 17 JVMs in cgroup v2 memory cgroups (kubelet's layout under a test parent), one
    /// with a limit 5% above -Xmx and one 30% above, scraped through `ContainerScraper`.
    ///
    /// OpenJDK 17 turns its container support off in the guest (no cpuset controller there), so it
    /// would size a default heap from the guest's RAM, not from `memory.max`: hence explicit -Xmx.
    // Needs root and the User-Mode Linux kernel, which exist only as root with user-mode-linux
    // installed. java and jcmd are not conditions: the test command installs them, and without
    // them this test fails rather than skips.
    @Test(.userModeLinux, .inGuest(memoryMiB: 1024))
    func jvmCeilingAndMarginInGuest() async throws {
        try #require(try CgroupHierarchy.detect().memoryVersion == .v2)
        // The guest's /tmp is the host's. A JVM starting in the guest deletes every hsperfdata file
        // whose PID the guest has no process for: all the host's JVMs' files. A private tmpfs
        // keeps the guest's JVMs (and that clean-up) away from the host's files.
        try Shell.check("mkdir", ["-p", "/tmp/hsperfdata_root"])
        try Shell.check("mount", ["-t", "tmpfs", "-o", "mode=700", "rudder-hsperfdata", "/tmp/hsperfdata_root"])
        defer { _ = try? Shell.run("umount", ["/tmp/hsperfdata_root"]) }
        let fixture = try JVMTestFixture(prefix: "rudder-test")
        defer { fixture.cleanUp() }
        let heap = 64 * LiveCgroupScenarios.mebibyte
        let tightCgroup = try fixture.makeCgroup(
            "kubepods/burstable/pod\(LiveCgroupScenarios.uid)/\(LiveCgroupScenarios.id("a"))", limit: heap * 105 / 100)
        let roomyCgroup = try fixture.makeCgroup(
            "kubepods/burstable/pod\(LiveCgroupScenarios.uid2)/\(LiveCgroupScenarios.id("b"))", limit: heap * 130 / 100)
        async let tightStart = fixture.startJVM(["-Xmx64m", "-XX:+UseSerialGC"], limit: 0, cgroup: tightCgroup)
        async let roomyStart = fixture.startJVM(["-Xmx64m", "-XX:+UseSerialGC"], limit: 0, cgroup: roomyCgroup)
        let (tight, roomy) = try await (tightStart, roomyStart)
        let parent = fixture.parentCgroupPath
        let scrape = try await offPool {
            ContainerScraper(hierarchy: try CgroupHierarchy.detect(), mode: .kubernetes(searchPaths: [parent])).scrape()
        }
        #expect(scrape.problems.isEmpty, "\(scrape.problems)")
        for (jvm, id, keepsMargin) in [
            (tight, LiveCgroupScenarios.id("a"), false), (roomy, LiveCgroupScenarios.id("b"), true),
        ] {
            let sample = try #require(scrape.samples.first { $0.container.containerID == id })
            #expect(sample.memory.version == .v2)
            #expect(sample.memory.limitBytes == jvm.limit)
            let report = try #require(sample.jvm.jvms.first)
            #expect(sample.jvm.jvms.map(\.pid) == [jvm.pid])
            let maxHeapSize = try await JVMTestFixture.jcmdFlags(jvm.pid).maxHeapSize
            #expect(report.heapCeiling == maxHeapSize)
            #expect(report.heapCeiling == heap)
            #expect(sample.jvm.headroom?.keepsMargin == keepsMargin)
        }
    }
}
