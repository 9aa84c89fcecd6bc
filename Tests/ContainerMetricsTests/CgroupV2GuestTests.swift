import ContainerMetrics
import TestSupport
import Testing

/// The same checks on cgroup v2, inside a User-Mode Linux guest that mounts cgroup2 at /sys/fs/cgroup.
///
/// On the host each test boots a guest running this bundle filtered to the same test; in the guest
/// (`UserModeLinux.isGuest`) it does the cgroup work.
@Suite struct CgroupV2GuestTests {
    @Test(.enabled(if: UserModeLinux.isGuest || UserModeLinux.isAvailable, "needs root and linux.uml"))
    func figuresOfRunningContainersInGuest() async throws {
        if UserModeLinux.isGuest {
            try #require(try CgroupHierarchy.detect().memoryVersion == .v2)
            try await LiveCgroupScenarios.figuresOfRunningContainers()
            return
        }
        let result = try await UserModeLinux.runTestInGuest("CgroupV2GuestTests/figuresOfRunningContainersInGuest")
        #expect(result.passed, "\(result)")
    }

    @Test(.enabled(if: UserModeLinux.isGuest || UserModeLinux.isAvailable, "needs root and linux.uml"))
    func oomKillIsCountedInGuest() async throws {
        if UserModeLinux.isGuest {
            let hierarchy = try CgroupHierarchy.detect()
            try #require(hierarchy.memoryVersion == .v2 && hierarchy.mode == .unified)
            try await LiveCgroupScenarios.oomKillIsCounted()
            return
        }
        let result = try await UserModeLinux.runTestInGuest("CgroupV2GuestTests/oomKillIsCountedInGuest")
        #expect(result.passed, "\(result)")
    }
}
