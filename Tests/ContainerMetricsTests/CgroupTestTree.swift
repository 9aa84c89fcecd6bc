import ContainerMetrics
import Foundation

/// Real cgroups under one test parent in the live memory hierarchy, with the processes put in them.
///
/// `remove()` kills every process left in the tree and removes the cgroups deepest first; tests
/// call it in a `defer`, so a failing test cleans up too.
final class CgroupTestTree: @unchecked Sendable {
    /// The live hierarchy.
    let hierarchy: CgroupHierarchy
    /// The test parent's cgroup path, "/rudder-test-<random>".
    let parent: String
    /// A scratch folder for the processes' files, removed with the tree.
    let scratch: String
    /// A scratch folder on tmpfs (/run), whose files stay charged to the cgroup that wrote them as
    /// page cache; the guest's hostfs /tmp keeps no page cache of its own.
    let tmpfsScratch: String
    /// Cgroup paths created, in creation order.
    private var created: [String] = []

    /// Creates the test parent in the live memory hierarchy.
    init() throws {
        hierarchy = try CgroupHierarchy.detect()
        parent = "/rudder-test-\(UInt32.random(in: .min ... .max))"
        var template = Array("/tmp/rudder-cgroup-test-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw FixtureError("mkdtemp: \(String(cString: strerror(errno)))")
        }
        scratch = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var tmpfsTemplate = Array("/run/rudder-cgroup-test-XXXXXX".utf8CString)
        guard tmpfsTemplate.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            try? FileManager.default.removeItem(atPath: scratch)
            throw FixtureError("mkdtemp in /run: \(String(cString: strerror(errno)))")
        }
        tmpfsScratch = tmpfsTemplate.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        try make("")
    }

    /// Whether real cgroup v1 memory tests can run here: root, and a v1 memory hierarchy.
    static var v1Available: Bool {
        geteuid() == 0 && (try? CgroupHierarchy.detect().memoryVersion) == .v1
    }

    /// The cgroup path of `relative` under the test parent.
    func cgroupPath(_ relative: String) -> String {
        relative.isEmpty ? parent : parent + "/" + relative
    }

    /// The directory of `relative` under the test parent.
    func directory(_ relative: String) -> String {
        hierarchy.directory(of: cgroupPath(relative))
    }

    /// Creates the cgroup `relative` and its missing parents; on v2 each parent delegates the memory controller.
    func make(_ relative: String) throws {
        var path = ""
        let components = [""] + relative.split(separator: "/").map(String.init)
        for component in components {
            path = path.isEmpty ? component : (component.isEmpty ? path : path + "/" + component)
            let cgroup = cgroupPath(path)
            if FileManager.default.fileExists(atPath: hierarchy.directory(of: cgroup)) { continue }
            if hierarchy.memoryVersion == .v2 {
                let up = (hierarchy.directory(of: cgroup) as NSString).deletingLastPathComponent
                try write("+memory", toPath: up + "/cgroup.subtree_control")
            }
            guard mkdir(hierarchy.directory(of: cgroup), 0o755) == 0 else {
                throw FixtureError("mkdir \(hierarchy.directory(of: cgroup)): \(String(cString: strerror(errno)))")
            }
            created.append(cgroup)
        }
    }

    /// Writes `value` to the control file `file` of the cgroup `relative`.
    func write(_ value: String, to file: String, in relative: String) throws {
        try write(value, toPath: directory(relative) + "/" + file)
    }

    /// Writes `value` to a control file in one write(2), as the kernel expects.
    private func write(_ value: String, toPath path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FixtureError("open \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        let written = value.withCString { Glibc.write(descriptor, $0, strlen($0)) }
        guard written >= 0 else { throw FixtureError("write \(value) to \(path): \(String(cString: strerror(errno)))") }
    }

    /// Starts `/bin/sh -c script` after moving the shell into the cgroup `relative`; children inherit it.
    func run(_ script: String, in relative: String) throws -> CgroupTestProcess {
        let procs = directory(relative) + "/cgroup.procs"
        return try CgroupTestProcess(script: "echo $$ > '\(procs)' || exit 99\n" + script)
    }

    /// The processes now in the cgroup `relative`.
    func processes(in relative: String) -> [Int32] {
        let text = (try? String(contentsOfFile: directory(relative) + "/cgroup.procs", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { Int32($0) }
    }

    /// Kills every process in the tree and removes its cgroups, deepest first.
    func remove() async {
        for cgroup in created.reversed() {
            let directory = hierarchy.directory(of: cgroup)
            for _ in 0..<100 {
                let text = (try? String(contentsOfFile: directory + "/cgroup.procs", encoding: .utf8)) ?? ""
                let pids = text.split(separator: "\n").compactMap { pid_t($0) }
                if pids.isEmpty { break }
                for pid in pids { kill(pid, SIGKILL) }
                try? await Task.sleep(for: .milliseconds(20))
            }
            // A killed process leaves its cgroup only once reaped; rmdir fails with EBUSY until then.
            for _ in 0..<100 {
                if rmdir(directory) == 0 || errno == ENOENT { break }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        created.removeAll()
        try? FileManager.default.removeItem(atPath: scratch)
        try? FileManager.default.removeItem(atPath: tmpfsScratch)
    }
}

/// A shell started for a cgroup test; `exited()` waits for it without blocking a thread.
final class CgroupTestProcess: Sendable {
    private let process: Process
    private let exit: Task<Int32, Never>

    /// Starts `/bin/sh -c script` with output discarded.
    init(script: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { continuation.yield($0.terminationStatus) }
        try process.run()
        self.process = process
        exit = Task {
            for await status in stream { return status }
            return -1
        }
    }

    /// The shell's process ID.
    var pid: Int32 { process.processIdentifier }

    /// The shell's exit status (a signal number when it was killed), once it has ended.
    func exited() async -> Int32 { await exit.value }
}
