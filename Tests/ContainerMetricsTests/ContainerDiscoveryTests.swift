import ContainerMetrics
import Testing

/// Discovery over fixture trees laid out as kubelet and the runtimes lay them out.
@Suite struct ContainerDiscoveryTests {
    static let uid = "0f0c8a0e-5a1b-4c7d-9e2f-1a2b3c4d5e6f"
    static let uid2 = "7d2e4b1a-9c3f-4e5d-8a6b-0c1d2e3f4a5b"
    static func id(_ digit: Character) -> String { String(repeating: digit, count: 64) }

    /// A hierarchy whose memory mount is the fixture's root.
    static func hierarchy(_ fixture: CgroupFixture) -> CgroupHierarchy {
        CgroupHierarchy(mode: .legacy, memoryVersion: .v1, memoryMountPoint: fixture.root)
    }

    /// Both drivers' trees side by side, with a pause sandbox, a CRI-O monitor and foreign cgroups.
    @Test func findsPodsContainersAndSandboxes() throws {
        let fixture = try CgroupFixture()
        defer { fixture.remove() }
        let cgroupfsPod = "kubepods/burstable/pod\(Self.uid)"
        try fixture.file("\(cgroupfsPod)/\(Self.id("a"))/cgroup.procs", "4242\n")
        try fixture.file("\(cgroupfsPod)/\(Self.id("b"))/cgroup.procs", "4243\n4244\n")
        try fixture.file("\(cgroupfsPod)/crio-conmon-\(Self.id("c"))/cgroup.procs", "")
        try fixture.file("proc/4242/comm", "pause\n")
        try fixture.file("proc/4243/comm", "java\n")
        let systemdPod =
            "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod\(Self.uid2.replacing("-", with: "_")).slice"
        try fixture.file("\(systemdPod)/cri-containerd-\(Self.id("d")).scope/cgroup.procs", "")
        try fixture.file("\(systemdPod)/crio-\(Self.id("e"))/cgroup.procs", "")
        try fixture.directory("system.slice/containerd.service")
        try fixture.directory("kubepods/burstable/not-a-pod")

        let discovery = ContainerDiscovery(
            hierarchy: Self.hierarchy(fixture), mode: .kubelet, procRoot: fixture.path("proc"))
        let result = discovery.discover()
        #expect(result.problems.isEmpty, "\(result.problems)")
        let byPath = Dictionary(uniqueKeysWithValues: result.containers.map { ($0.cgroupPath, $0) })
        #expect(byPath.count == 6, "\(result.containers)")

        let pod = try #require(byPath["/\(cgroupfsPod)"])
        #expect(pod.kind == .pod && pod.podUID == Self.uid && pod.qos == .burstable && pod.containerID == nil)
        let sandbox = try #require(byPath["/\(cgroupfsPod)/\(Self.id("a"))"])
        #expect(sandbox.isSandbox && sandbox.containerID == Self.id("a") && sandbox.runtime == .unknown)
        #expect(sandbox.directory == fixture.path("\(cgroupfsPod)/\(Self.id("a"))"))
        let java = try #require(byPath["/\(cgroupfsPod)/\(Self.id("b"))"])
        #expect(java.kind == .container && java.podUID == Self.uid && java.qos == .burstable)
        #expect(!result.containers.contains { $0.containerID == Self.id("c") }, "conmon is no container")

        let systemdPodEntry = try #require(byPath["/\(systemdPod)"])
        #expect(systemdPodEntry.podUID == Self.uid2 && systemdPodEntry.qos == .besteffort)
        let containerd = try #require(byPath["/\(systemdPod)/cri-containerd-\(Self.id("d")).scope"])
        #expect(containerd.kind == .container && containerd.runtime == .containerd && containerd.podUID == Self.uid2)
        let crioSandbox = try #require(byPath["/\(systemdPod)/crio-\(Self.id("e"))"])
        #expect(crioSandbox.isSandbox && crioSandbox.runtime == .crio)
    }

    /// The sandbox verdict is remembered: a pause container whose process list is later unreadable stays one.
    @Test func sandboxVerdictIsRemembered() throws {
        let fixture = try CgroupFixture()
        defer { fixture.remove() }
        let container = "kubepods/pod\(Self.uid)/\(Self.id("a"))"
        try fixture.file("\(container)/cgroup.procs", "7\n")
        try fixture.file("proc/7/comm", "pause\n")
        let discovery = ContainerDiscovery(hierarchy: Self.hierarchy(fixture), procRoot: fixture.path("proc"))
        #expect(discovery.discover().containers.filter(\.isSandbox).count == 1)
        try fixture.removeItem("proc/7")
        #expect(discovery.discover().containers.filter(\.isSandbox).count == 1)
    }

    /// Kubepods is looked for at each search path and one level below it, nowhere else.
    @Test func searchPathsLimitTheWalk() throws {
        let fixture = try CgroupFixture()
        defer { fixture.remove() }
        try fixture.directory("mine/kubepods/pod\(Self.uid)/\(Self.id("a"))")
        try fixture.directory("other/kubepods/pod\(Self.uid2)/\(Self.id("b"))")
        try fixture.directory("deep/er/kubepods/pod\(Self.uid2)/\(Self.id("c"))")
        let discovery = ContainerDiscovery(
            hierarchy: Self.hierarchy(fixture), mode: .kubernetes(searchPaths: ["/mine", "/deep"]),
            procRoot: fixture.path("proc"))
        let result = discovery.discover()
        #expect(result.containers.compactMap(\.containerID) == [Self.id("a")])
        #expect(result.containers.map(\.cgroupPath).allSatisfy { $0.hasPrefix("/mine/kubepods/") })
    }

    /// Plain mode: each leaf below the parent is a container named by its path.
    @Test func plainLeavesUnderParent() throws {
        let fixture = try CgroupFixture()
        defer { fixture.remove() }
        try fixture.directory("services/web.service")
        try fixture.directory("services/batch/worker-1")
        try fixture.directory("services/batch/worker-2")
        try fixture.directory("elsewhere/db.service")
        let discovery = ContainerDiscovery(hierarchy: Self.hierarchy(fixture), mode: .plain(parent: "services"))
        let result = discovery.discover()
        #expect(result.problems.isEmpty)
        #expect(
            result.containers.map(\.cgroupPath) == [
                "/services/batch/worker-1", "/services/batch/worker-2", "/services/web.service",
            ])
        #expect(result.containers.allSatisfy { $0.kind == .plain && $0.runtime == .none && $0.podUID == nil })
    }

    /// A parent that does not exist (or vanished) is a problem naming it, not a crash.
    @Test func missingParentIsAProblem() throws {
        let fixture = try CgroupFixture()
        defer { fixture.remove() }
        let discovery = ContainerDiscovery(hierarchy: Self.hierarchy(fixture), mode: .plain(parent: "/gone"))
        let result = discovery.discover()
        #expect(result.containers.isEmpty)
        #expect(result.problems == [.vanished(path: fixture.path("gone"))])
    }
}
