import Testing

/// Real cgroup v1 memory cgroups on this host, with real processes in them.
@Suite struct CgroupV1HostTests {
    @Test(.enabled(if: CgroupTestTree.v1Available, "needs root and a cgroup v1 memory hierarchy"))
    func figuresOfRunningContainers() async throws {
        try await LiveCgroupScenarios.figuresOfRunningContainers()
    }

    @Test(.enabled(if: CgroupTestTree.v1Available, "needs root and a cgroup v1 memory hierarchy"))
    func oomKillIsCounted() async throws {
        try await LiveCgroupScenarios.oomKillIsCounted()
    }
}
