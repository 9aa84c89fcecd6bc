import ContainerMetrics
import Foundation
import Testing

/// Detection of the memory controller's hierarchy from mount tables.
@Suite struct CgroupHierarchyTests {
    static let legacy = """
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime shared:7 - cgroup cgroup rw,memory
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
        """

    /// This machine's own mount table: the memory controller is on cgroup v1.
    @Test func detectsThisHost() throws {
        let mountInfo = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        let hierarchy = try CgroupHierarchy.detect()
        let memoryLine = mountInfo.split(separator: "\n").first { $0.contains(" - cgroup ") && $0.hasSuffix(",memory") }
        let unifiedLine = mountInfo.split(separator: "\n").first { $0.contains(" - cgroup2 ") }
        if let memoryLine {
            #expect(hierarchy.memoryVersion == .v1)
            #expect(hierarchy.memoryMountPoint == String(memoryLine.split(separator: " ")[4]))
            #expect(hierarchy.mode == (unifiedLine == nil ? .legacy : .hybrid))
        } else {
            #expect(hierarchy.memoryVersion == .v2)
            #expect(hierarchy.mode == .unified)
        }
        #expect(FileManager.default.fileExists(atPath: hierarchy.memoryMountPoint + "/cgroup.procs"))
    }

    @Test func legacyHasMemoryOnV1() throws {
        let hierarchy = try CgroupHierarchy(mountInfo: Self.legacy)
        #expect(hierarchy.mode == .legacy)
        #expect(hierarchy.memoryVersion == .v1)
        #expect(hierarchy.memoryMountPoint == "/sys/fs/cgroup/memory")
        #expect(hierarchy.unifiedMountPoint == nil)
        #expect(hierarchy.directory(of: "/kubepods/burstable") == "/sys/fs/cgroup/memory/kubepods/burstable")
    }

    @Test func hybridKeepsMemoryOnV1() throws {
        let text = Self.legacy + "\n41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
        let hierarchy = try CgroupHierarchy(mountInfo: text, root: "/srv/fixture")
        #expect(hierarchy.mode == .hybrid)
        #expect(hierarchy.memoryVersion == .v1)
        #expect(hierarchy.memoryMountPoint == "/srv/fixture/sys/fs/cgroup/memory")
        #expect(hierarchy.unifiedMountPoint == "/srv/fixture/sys/fs/cgroup/unified")
    }

    /// A unified host, found through a fixture root: detect reads root/proc/self/mountinfo and cgroup.controllers.
    @Test func unifiedFromFixtureRoot() throws {
        let fixture = try CgroupFixture()
        defer { fixture.remove() }
        try fixture.file(
            "proc/self/mountinfo",
            "25 30 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n")
        try fixture.file("sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory hugetlb pids\n")
        let hierarchy = try CgroupHierarchy.detect(root: fixture.root)
        #expect(hierarchy.mode == .unified)
        #expect(hierarchy.memoryVersion == .v2)
        #expect(hierarchy.memoryMountPoint == fixture.path("sys/fs/cgroup"))
    }

    @Test func unifiedWithoutMemoryControllerIsAnError() throws {
        let fixture = try CgroupFixture()
        defer { fixture.remove() }
        try fixture.file("proc/self/mountinfo", "25 30 0:22 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n")
        try fixture.file("sys/fs/cgroup/cgroup.controllers", "cpu io pids\n")
        #expect {
            try CgroupHierarchy.detect(root: fixture.root)
        } throws: { error in
            guard case CgroupHierarchyError.noMemoryController(_, let detail) = error else { return false }
            return detail.contains("cgroup.controllers")
        }
    }

    @Test func noCgroupMountsIsAnError() {
        #expect(throws: CgroupHierarchyError.self) {
            try CgroupHierarchy(mountInfo: "22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n")
        }
    }

    @Test func missingMountTableNamesThePath() throws {
        let fixture = try CgroupFixture()
        defer { fixture.remove() }
        #expect {
            try CgroupHierarchy.detect(root: fixture.root)
        } throws: { error in
            guard case CgroupHierarchyError.mountTableUnreadable(let path, _) = error else { return false }
            return path == fixture.path("proc/self/mountinfo")
        }
    }

    @Test(arguments: [
        "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime cgroup cgroup rw,memory",
        "35 31 0:32 / - cgroup",
        "garbage",
    ])
    func malformedLineIsRejectedWithItsNumber(line: String) {
        #expect {
            try CgroupHierarchy(mountInfo: "22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n" + line, source: "fixture")
        } throws: { error in
            guard case CgroupHierarchyError.malformedMountLine("fixture", 2, _) = error else { return false }
            return true
        }
    }

    /// Mount points with spaces are octal-escaped in mountinfo.
    @Test func escapedMountPointIsUnescaped() throws {
        let hierarchy = try CgroupHierarchy(
            mountInfo: "35 31 0:32 / /mnt/cgroup\\040memory rw - cgroup cgroup rw,memory\n")
        #expect(hierarchy.memoryMountPoint == "/mnt/cgroup memory")
    }

    /// A bind mount of a sub-cgroup listed first does not hide the mount of the whole hierarchy.
    @Test func wholeHierarchyMountIsPreferred() throws {
        let text = """
            50 31 0:32 /kubepods /var/lib/sub rw - cgroup cgroup rw,memory
            35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
            """
        let hierarchy = try CgroupHierarchy(mountInfo: text)
        #expect(hierarchy.memoryMountPoint == "/sys/fs/cgroup/memory")
        #expect(hierarchy.memoryMountRoot == "/")
    }
}
