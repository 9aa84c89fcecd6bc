import ContainerMetrics
import Foundation
import Testing

/// The errors name the path and tell a vanished cgroup from a broken file.
@Suite struct CgroupReadErrorTests {
    /// Reading a file of a removed cgroup fails with ENOENT (opening) or ENODEV (an open file): both mean vanished.
    @Test func missingFileIsVanishedAndNamed() throws {
        let reader = CgroupFileReader()
        #expect {
            try reader.unsigned(at: "/tmp/rudder-no-such-cgroup/memory.current")
        } throws: { error in
            (error as? CgroupReadError) == .vanished(path: "/tmp/rudder-no-such-cgroup/memory.current")
        }
        let error = CgroupReadError.malformed(path: "/sys/fs/cgroup/x/memory.max", problem: "expected a number")
        #expect(error.description.contains("/sys/fs/cgroup/x/memory.max"))
        #expect(CgroupReadError.unreadable(path: "/p", errno: EACCES).description.contains("Permission denied"))
    }

    /// v2 limits: "max" is no limit, a number is one, anything else is malformed.
    @Test func v2LimitFile() throws {
        let fixture = try CgroupFixture()
        defer { fixture.remove() }
        let reader = CgroupFileReader()
        try fixture.file("max", "max\n")
        try fixture.file("number", "1073741824\n")
        try fixture.file("bad", "maximum\n")
        try fixture.file("empty", "")
        #expect(try reader.limit(at: fixture.path("max")) == nil)
        #expect(try reader.limit(at: fixture.path("number")) == 1_073_741_824)
        #expect(throws: CgroupReadError.self) { try reader.limit(at: fixture.path("bad")) }
        #expect(throws: CgroupReadError.self) { try reader.unsigned(at: fixture.path("empty")) }
    }
}
