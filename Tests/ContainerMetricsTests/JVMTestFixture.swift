import Foundation
import TestSupport

/// Real JVMs (the host's OpenJDK 17) in real cgroup v1 memory cgroups, for one test.
///
/// Each JVM runs `Sleep` (below) in a child of `/sys/fs/cgroup/memory/rudder-jvm-test-<random>`
/// with its own memory limit; it joins the cgroup before `exec java`, so the JVM sizes itself
/// from that limit. `cleanUp()` kills every JVM it started and removes the cgroups; call it in a
/// `defer` right after creating the fixture.
final class JVMTestFixture: @unchecked Sendable {
    /// A JVM started by the fixture.
    struct JVM {
        /// Its host PID.
        var pid: Int32
        /// Its cgroup's memory limit.
        var limit: UInt64
        /// Its cgroup folder.
        var cgroup: String
    }

    static let memoryRoot = "/sys/fs/cgroup/memory"
    /// Whether this machine can run these tests: root, a cgroup v1 memory hierarchy, java and jcmd.
    static let available =
        getuid() == 0 && FileManager.default.fileExists(atPath: memoryRoot + "/memory.limit_in_bytes")
        && Shell.resolve("java") != nil && Shell.resolve("jcmd") != nil
    /// The class file of this program, compiled by `javac --release 17 -g:none Sleep.java`;
    /// shipped as bytes so that no test needs a compiler or leaves compiled classes behind:
    ///
    ///     public class Sleep {
    ///         public static void main(String[] args) throws Exception {
    ///             System.out.println("ready");
    ///             System.out.flush();
    ///             Thread.sleep(Long.MAX_VALUE);
    ///         }
    ///     }
    static let sleepClass: [UInt8] = [
        0xca, 0xfe, 0xba, 0xbe, 0x00, 0x00, 0x00, 0x3d, 0x00, 0x2a, 0x0a, 0x00, 0x02, 0x00, 0x03, 0x07, 0x00,
        0x04, 0x0c, 0x00, 0x05, 0x00, 0x06, 0x01, 0x00, 0x10, 0x6a, 0x61, 0x76, 0x61, 0x2f, 0x6c, 0x61, 0x6e,
        0x67, 0x2f, 0x4f, 0x62, 0x6a, 0x65, 0x63, 0x74, 0x01, 0x00, 0x06, 0x3c, 0x69, 0x6e, 0x69, 0x74, 0x3e,
        0x01, 0x00, 0x03, 0x28, 0x29, 0x56, 0x09, 0x00, 0x08, 0x00, 0x09, 0x07, 0x00, 0x0a, 0x0c, 0x00, 0x0b,
        0x00, 0x0c, 0x01, 0x00, 0x10, 0x6a, 0x61, 0x76, 0x61, 0x2f, 0x6c, 0x61, 0x6e, 0x67, 0x2f, 0x53, 0x79,
        0x73, 0x74, 0x65, 0x6d, 0x01, 0x00, 0x03, 0x6f, 0x75, 0x74, 0x01, 0x00, 0x15, 0x4c, 0x6a, 0x61, 0x76,
        0x61, 0x2f, 0x69, 0x6f, 0x2f, 0x50, 0x72, 0x69, 0x6e, 0x74, 0x53, 0x74, 0x72, 0x65, 0x61, 0x6d, 0x3b,
        0x08, 0x00, 0x0e, 0x01, 0x00, 0x05, 0x72, 0x65, 0x61, 0x64, 0x79, 0x0a, 0x00, 0x10, 0x00, 0x11, 0x07,
        0x00, 0x12, 0x0c, 0x00, 0x13, 0x00, 0x14, 0x01, 0x00, 0x13, 0x6a, 0x61, 0x76, 0x61, 0x2f, 0x69, 0x6f,
        0x2f, 0x50, 0x72, 0x69, 0x6e, 0x74, 0x53, 0x74, 0x72, 0x65, 0x61, 0x6d, 0x01, 0x00, 0x07, 0x70, 0x72,
        0x69, 0x6e, 0x74, 0x6c, 0x6e, 0x01, 0x00, 0x15, 0x28, 0x4c, 0x6a, 0x61, 0x76, 0x61, 0x2f, 0x6c, 0x61,
        0x6e, 0x67, 0x2f, 0x53, 0x74, 0x72, 0x69, 0x6e, 0x67, 0x3b, 0x29, 0x56, 0x0a, 0x00, 0x10, 0x00, 0x16,
        0x0c, 0x00, 0x17, 0x00, 0x06, 0x01, 0x00, 0x05, 0x66, 0x6c, 0x75, 0x73, 0x68, 0x07, 0x00, 0x19, 0x01,
        0x00, 0x0e, 0x6a, 0x61, 0x76, 0x61, 0x2f, 0x6c, 0x61, 0x6e, 0x67, 0x2f, 0x4c, 0x6f, 0x6e, 0x67, 0x05,
        0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0a, 0x00, 0x1d, 0x00, 0x1e, 0x07, 0x00, 0x1f, 0x0c,
        0x00, 0x20, 0x00, 0x21, 0x01, 0x00, 0x10, 0x6a, 0x61, 0x76, 0x61, 0x2f, 0x6c, 0x61, 0x6e, 0x67, 0x2f,
        0x54, 0x68, 0x72, 0x65, 0x61, 0x64, 0x01, 0x00, 0x05, 0x73, 0x6c, 0x65, 0x65, 0x70, 0x01, 0x00, 0x04,
        0x28, 0x4a, 0x29, 0x56, 0x07, 0x00, 0x23, 0x01, 0x00, 0x05, 0x53, 0x6c, 0x65, 0x65, 0x70, 0x01, 0x00,
        0x04, 0x43, 0x6f, 0x64, 0x65, 0x01, 0x00, 0x04, 0x6d, 0x61, 0x69, 0x6e, 0x01, 0x00, 0x16, 0x28, 0x5b,
        0x4c, 0x6a, 0x61, 0x76, 0x61, 0x2f, 0x6c, 0x61, 0x6e, 0x67, 0x2f, 0x53, 0x74, 0x72, 0x69, 0x6e, 0x67,
        0x3b, 0x29, 0x56, 0x01, 0x00, 0x0a, 0x45, 0x78, 0x63, 0x65, 0x70, 0x74, 0x69, 0x6f, 0x6e, 0x73, 0x07,
        0x00, 0x29, 0x01, 0x00, 0x13, 0x6a, 0x61, 0x76, 0x61, 0x2f, 0x6c, 0x61, 0x6e, 0x67, 0x2f, 0x45, 0x78,
        0x63, 0x65, 0x70, 0x74, 0x69, 0x6f, 0x6e, 0x00, 0x21, 0x00, 0x22, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x02, 0x00, 0x01, 0x00, 0x05, 0x00, 0x06, 0x00, 0x01, 0x00, 0x24, 0x00, 0x00, 0x00, 0x11, 0x00,
        0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05, 0x2a, 0xb7, 0x00, 0x01, 0xb1, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x09, 0x00, 0x25, 0x00, 0x26, 0x00, 0x02, 0x00, 0x24, 0x00, 0x00, 0x00, 0x21, 0x00, 0x02, 0x00, 0x01,
        0x00, 0x00, 0x00, 0x15, 0xb2, 0x00, 0x07, 0x12, 0x0d, 0xb6, 0x00, 0x0f, 0xb2, 0x00, 0x07, 0xb6, 0x00,
        0x15, 0x14, 0x00, 0x1a, 0xb8, 0x00, 0x1c, 0xb1, 0x00, 0x00, 0x00, 0x00, 0x00, 0x27, 0x00, 0x00, 0x00,
        0x04, 0x00, 0x01, 0x00, 0x28, 0x00, 0x00,
    ]

    let parent: String
    let directory: String
    private let lock = NSLock()
    private var processes: [Process] = []
    private var cgroups: [String] = []

    /// A fixture with its own parent cgroup and scratch folder (holding Sleep.class).
    init() throws {
        let token = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        parent = "\(Self.memoryRoot)/rudder-jvm-test-\(token)"
        directory = NSTemporaryDirectory() + "rudder-jvm-test-\(token)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(Self.sleepClass).write(to: URL(fileURLWithPath: directory + "/Sleep.class"))
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: false)
    }

    /// Starts `java OPTIONS -cp DIR Sleep PROGRAMARGS` in a new cgroup limited to `limit` bytes,
    /// with `environment` added; returns once the program has printed "ready".
    /// With `cgroup`, the JVM joins that one (made by an earlier call) and `limit` is not set again.
    func startJVM(
        _ options: [String], limit: UInt64, environment: [String: String] = [:], programArguments: [String] = [],
        cgroup existing: String? = nil
    ) async throws -> JVM {
        let cgroup = try existing ?? makeCgroup(limit: limit)
        // The kernel rounds the limit down to whole pages: report what it holds.
        let text = try String(contentsOfFile: cgroup + "/memory.limit_in_bytes", encoding: .utf8)
        let heldLimit = UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? limit
        let output = directory + "/jvm-\(UInt32.random(in: 0...UInt32.max)).out"
        guard FileManager.default.createFile(atPath: output, contents: nil) else {
            throw ShellError(commandLine: [], reason: "cannot create \(output)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        let command = (["exec", "java"] + options + ["-cp", directory, "Sleep"] + programArguments)
            .map { "'\($0)'" }.joined(separator: " ")
        process.arguments = ["-c", "echo $$ > \(cgroup)/cgroup.procs && \(command)"]
        var childEnvironment = ProcessInfo.processInfo.environment
        for name in ["JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS"] { childEnvironment[name] = nil }
        process.environment = childEnvironment.merging(environment) { $1 }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardError = FileHandle.nullDevice
        try process.run()
        lock.withLock { processes.append(process) }
        try await Polling.until("JVM \(process.processIdentifier) printed ready", timeout: .seconds(120)) {
            guard process.isRunning else { throw ShellError(commandLine: [command], reason: "exited") }
            return (try? String(contentsOfFile: output, encoding: .utf8))?.contains("ready") == true
        }
        return JVM(pid: process.processIdentifier, limit: heldLimit, cgroup: cgroup)
    }

    /// A new child cgroup with memory limit `limit`.
    func makeCgroup(limit: UInt64) throws -> String {
        let cgroup = lock.withLock {
            let path = "\(parent)/jvm-\(cgroups.count)"
            cgroups.append(path)
            return path
        }
        try FileManager.default.createDirectory(atPath: cgroup, withIntermediateDirectories: false)
        try "\(limit)".write(toFile: cgroup + "/memory.limit_in_bytes", atomically: false, encoding: .utf8)
        return cgroup
    }

    /// Kills a JVM with SIGKILL and waits for it, as the OOM killer would end it.
    func kill(_ jvm: JVM) {
        let process = lock.withLock { processes.first { $0.processIdentifier == jvm.pid } }
        Glibc.kill(jvm.pid, SIGKILL)
        process?.waitUntilExit()
    }

    /// Kills every JVM started, waits for them, and removes the cgroups and the scratch folder.
    func cleanUp() {
        let (started, made) = lock.withLock { (processes, cgroups) }
        for process in started where process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        for process in started {
            process.waitUntilExit()
            // The JVM's file outlives a SIGKILL; remove it as the JVM would have on exit.
            try? FileManager.default.removeItem(atPath: "/tmp/hsperfdata_root/\(process.processIdentifier)")
        }
        for cgroup in made.reversed() { rmdir(cgroup) }
        rmdir(parent)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// `MaxHeapSize` and the collector flag from `jcmd PID VM.flags`, the JVM's own word.
    static func jcmdFlags(_ pid: Int32) async throws -> (maxHeapSize: UInt64, flags: String) {
        let output = try await offPool { try Shell.check("jcmd", ["\(pid)", "VM.flags"]) }
        guard
            let field = output.split(whereSeparator: \.isWhitespace).first(where: { $0.hasPrefix("-XX:MaxHeapSize=") }),
            let value = UInt64(field.dropFirst("-XX:MaxHeapSize=".count))
        else { throw ShellError(commandLine: ["jcmd", "\(pid)", "VM.flags"], reason: "no MaxHeapSize in: \(output)") }
        return (value, output)
    }
}

/// Runs blocking `body` on a thread of its own, so that Swift Testing's two cooperative threads stay free.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
