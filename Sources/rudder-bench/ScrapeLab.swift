import ArgumentParser
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Real cgroup v1 memory cgroups in kubelet's cgroupfs layout, each with a process, some of them JVMs.
///
/// Everything lives under `/sys/fs/cgroup/memory/rudder-bench-<pid>`; `remove` kills the
/// processes and removes the cgroups deepest first.
final class ScrapeLab {
    /// The test parent, as a cgroup path ("/rudder-bench-123").
    let parent: String
    /// How many pods (two containers each, the last one possibly alone).
    let pods: Int
    private let containers: Int
    private let jvms: Int
    private let root = "/sys/fs/cgroup/memory"
    private let scratch: String
    private var containerDirectories: [String] = []
    private var podDirectories: [String] = []

    init(containers: Int, jvms: Int) throws {
        guard FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/memory.usage_in_bytes") else {
            throw ValidationError("needs the cgroup v1 memory controller at /sys/fs/cgroup/memory")
        }
        self.containers = containers
        self.jvms = jvms
        pods = (containers + 1) / 2
        parent = "/rudder-bench-\(getpid())"
        scratch = NSTemporaryDirectory() + "rudder-bench-scrape-\(getpid())"
    }

    /// Creates the cgroups and starts a `sleep` in each container, a JVM in the first `jvms`.
    func start() throws {
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        try "public class Idle { public static void main(String[] a) throws Exception { Thread.sleep(3_600_000L); } }\n"
            .write(toFile: scratch + "/Idle.java", atomically: true, encoding: .utf8)
        try Self.check(["javac", "-d", scratch, scratch + "/Idle.java"])
        let burstable = root + parent + "/kubepods/burstable"
        var script = "set -e\n"
        for index in 0..<containers {
            let pod = burstable + "/pod" + Self.uid(index / 2)
            if index % 2 == 0 { podDirectories.append(pod) }
            let directory = pod + "/" + Self.containerID(index)
            containerDirectories.append(directory)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try "\(300 << 20)".write(toFile: directory + "/memory.limit_in_bytes", atomically: false, encoding: .utf8)
            let command =
                index < jvms
                ? "java -Xmx200m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss256k -cp \(scratch) Idle"
                : "sleep 3600"
            script += "sh -c 'echo $$ > \(directory)/cgroup.procs && exec \(command)' >/dev/null 2>&1 &\n"
        }
        try Self.check(["bash", "-c", script])
        // Each JVM is ready for the scrape once its perf data file has its counters.
        let deadline = ContinuousClock.now + .seconds(180)
        while try startedJVMs() < jvms {
            guard ContinuousClock.now < deadline else { throw ValidationError("the JVMs did not all start in 180 s") }
            Thread.sleep(forTimeInterval: 0.2)
        }
    }

    /// How many JVMs have written their perf data file.
    private func startedJVMs() throws -> Int {
        var count = 0
        for directory in containerDirectories.prefix(jvms) {
            for pid in processes(in: directory) {
                let maps = Self.read("/proc/\(pid)/maps")
                if maps.contains("hsperfdata_") { count += 1 }
            }
        }
        return count
    }

    /// Every file one scrape reads: each pod's and container's memory files and process list,
    /// each process's status and maps, and each JVM's command line, environment, stat and perf data.
    func filesRead() throws -> [String] {
        let memoryFiles = [
            "cgroup.procs", "memory.usage_in_bytes", "memory.use_hierarchy", "memory.stat", "memory.failcnt",
            "memory.max_usage_in_bytes", "memory.limit_in_bytes", "memory.soft_limit_in_bytes",
            "memory.memsw.usage_in_bytes", "memory.oom_control",
        ]
        var files: [String] = []
        for directory in podDirectories + containerDirectories {
            for name in memoryFiles where FileManager.default.fileExists(atPath: directory + "/" + name) {
                files.append(directory + "/" + name)
            }
        }
        for directory in containerDirectories {
            for pid in processes(in: directory) {
                files += ["/proc/\(pid)/status", "/proc/\(pid)/maps"]
                let maps = Self.read("/proc/\(pid)/maps")
                guard let line = maps.split(separator: "\n").first(where: { $0.contains("hsperfdata_") }),
                    let path = line.split(separator: " ", omittingEmptySubsequences: true).last
                else { continue }
                files += [
                    "/proc/\(pid)/cmdline", "/proc/\(pid)/environ", "/proc/\(pid)/stat", "/proc/\(pid)/root\(path)",
                ]
            }
        }
        files.append("/proc/meminfo")
        return files
    }

    /// Kills every process and removes every cgroup and the scratch directory.
    func remove() {
        for directory in containerDirectories {
            for pid in processes(in: directory) { kill(pid, SIGKILL) }
        }
        let deadline = ContinuousClock.now + .seconds(20)
        for directory in containerDirectories {
            while !processes(in: directory).isEmpty && ContinuousClock.now < deadline {
                Thread.sleep(forTimeInterval: 0.05)
            }
            rmdir(directory)
        }
        for directory in podDirectories { rmdir(directory) }
        for path in ["/kubepods/burstable", "/kubepods", ""] { rmdir(root + parent + path) }
        try? FileManager.default.removeItem(atPath: scratch)
    }

    private func processes(in directory: String) -> [pid_t] {
        let text = Self.read(directory + "/cgroup.procs")
        return text.split(separator: "\n").compactMap { pid_t($0) }
    }

    /// A whole file, read to its end: /proc and cgroup files report a size of 0, which
    /// Foundation's readers take at its word.
    private static func read(_ path: String) -> String {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return "" }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func uid(_ index: Int) -> String {
        String(format: "5c0ffee0-0000-4000-8000-%012x", index)
    }

    private static func containerID(_ index: Int) -> String {
        String(repeating: "0", count: 56) + String(format: "%08x", index)
    }

    /// Runs a command to its end. posix_spawn and waitpid, not Foundation's Process: its
    /// `waitUntilExit` never returned here once hundreds of background children were about.
    private static func check(_ arguments: [String]) throws {
        var pid: pid_t = 0
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        guard posix_spawnp(&pid, arguments[0], nil, nil, &argv, environ) == 0 else {
            throw ValidationError("cannot start \(arguments[0])")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        guard status == 0 else {
            throw ValidationError("\(arguments.prefix(2).joined(separator: " ")) exited with status \(status)")
        }
    }
}
