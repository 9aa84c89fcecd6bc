import ArgumentParser
import Foundation
import RudderLab

#if canImport(Glibc)
    import Glibc
#endif

/// A benchmark found the kernel in a state other than the one it asked for, or a tool failed.
struct BenchmarkFailure: Error, CustomStringConvertible {
    /// One line saying what was wrong.
    var description: String

    /// A failure described by `description`.
    init(_ description: String) {
        self.description = description
    }
}

/// Runs a benchmark's measuring half inside a User-Mode Linux guest, and the helpers that half uses.
///
/// The host kernel has no IPVS, so the host-side command boots a guest whose init runs this same
/// executable with `--in-guest`; the guest half measures both the reference and Rudder (system
/// calls are much slower in the guest, so only figures from the same guest are compared) and
/// the host half prints what the guest printed.
enum GuestBenchmark {
    /// The flag that selects the guest half of a scenario.
    static let guestFlag = "--in-guest"
    /// The guest's memory: 100,000 IPVS objects and 10,000 VIPs need room in the guest kernel.
    static let memoryMiB = 2048

    /// Runs `arguments` (a subcommand and its options) inside a guest and prints its output.
    ///
    /// Throws when the guest half exits non-zero: it has already printed why.
    static func run(_ arguments: [String], modules: [String], timeout: Duration) async throws {
        guard UserModeLinux.isAvailable else {
            throw BenchmarkFailure(
                "needs root and \(UserModeLinux.kernelPath) (package user-mode-linux): the host kernel has no IPVS")
        }
        // Resolved here: inside the guest, /proc/self/exe would name whichever process reads it.
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let seconds = timeout.components.seconds
        note("booting User-Mode Linux (\(memoryMiB) MiB, limit \(seconds) s); the guest's output comes when it halts")
        let result = try await UserModeLinux.run(
            [executable] + arguments + [guestFlag], modules: modules, memoryMiB: memoryMiB, timeout: timeout)
        print(result.output, terminator: result.output.hasSuffix("\n") || result.output.isEmpty ? "" : "\n")
        note("guest ran for \(format(result.elapsed)) from boot to halt")
        guard result.exitStatus == 0 else {
            throw BenchmarkFailure("the measurement in the guest exited with status \(result.exitStatus); see above")
        }
    }

    /// Refuses to run a guest half outside a guest: it clears the kernel's whole IPVS table.
    static func requireGuest() throws {
        guard UserModeLinux.isGuest else {
            throw BenchmarkFailure("\(guestFlag) is for the half that runs inside the User-Mode Linux guest")
        }
    }

    /// The guest's kernel release, processors and memory, for the record.
    static func describeGuest() -> String {
        var names = utsname()
        uname(&names)
        let release = withUnsafeBytes(of: &names.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let memory = ProcessInfo.processInfo.physicalMemory >> 20
        let processors = ProcessInfo.processInfo.activeProcessorCount
        return "guest: User-Mode Linux \(release), \(processors) processor(s), \(memory) MiB"
    }

    /// Prints a line and flushes it at once, so that a crash loses nothing already printed.
    static func say(_ line: String) {
        print(line)
        fflush(nil)
    }

    /// A line for the person watching, on standard error.
    static func note(_ line: String) {
        FileHandle.standardError.write(Data(("rudder-bench: " + line + "\n").utf8))
    }

    // MARK: - Scratch space

    /// A private folder on the guest's own /run (a tmpfs): nothing written there reaches the host.
    static func makeScratchDirectory() throws -> String {
        var template = Array("/run/rudder-bench-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw BenchmarkFailure("mkdtemp under /run: \(String(cString: strerror(errno)))")
        }
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    // MARK: - Running tools

    /// Runs a tool (an absolute path and its arguments) with posix_spawn and waits for it.
    ///
    /// Standard input comes from `input` (or /dev/null), standard output goes to /dev/null and
    /// standard error to `scratch/stderr`, so that timing one run costs no more than a shell's
    /// fork, exec and wait. Returns the wall-clock time from spawn to exit; throws unless it exits 0.
    @discardableResult
    static func timed(_ arguments: [String], input: String? = nil, scratch: String) throws -> Duration {
        let errorPath = scratch + "/stderr"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, input ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        let environment: [UnsafeMutablePointer<CChar>?] = [nil]
        var pid: pid_t = 0
        let clock = ContinuousClock()
        let start = clock.now
        let spawned = posix_spawn(&pid, arguments[0], &actions, nil, argv, environment)
        guard spawned == 0 else {
            throw BenchmarkFailure("cannot start \(arguments[0]): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else {
                throw BenchmarkFailure("waitpid \(arguments[0]): \(String(cString: strerror(errno)))")
            }
        }
        let elapsed = clock.now - start
        // WIFEXITED and WEXITSTATUS, which Swift does not import.
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            let detail = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
            throw BenchmarkFailure(
                "\(arguments.joined(separator: " ")) failed (wait status \(status)): "
                    + detail.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return elapsed
    }

    /// The absolute path of a tool, or a failure naming the package that has it.
    static func tool(_ name: String, package: String) throws -> String {
        guard let path = Shell.resolve(name) else { throw BenchmarkFailure("\(name) not found (package \(package))") }
        return path
    }

    // MARK: - IPVS state

    /// `ipvsadm -Sn`, one rule a line, in `namespace` (nil: the guest's own).
    static func savedRules(in namespace: NetworkNamespaceFixture? = nil) throws -> [String] {
        let output: String
        if let namespace {
            let result = try namespace.run("ipvsadm", ["-Sn"])
            guard result.succeeded else { throw ShellError(commandLine: result.commandLine, result: result) }
            output = result.stdout
        } else {
            output = try Shell.check("ipvsadm", ["-Sn"])
        }
        return output.split(separator: "\n").map(String.init)
    }

    /// Fails unless the IPVS table holds exactly `expected` (ipvsadm -Sn lines), as `ipvsadm` reads it.
    static func expectRules(
        _ expected: Set<String>, in namespace: NetworkNamespaceFixture? = nil, after step: String
    ) throws {
        let saved = try savedRules(in: namespace)
        let found = Set(saved)
        guard saved.count == expected.count, found == expected else {
            let services = saved.count(where: { $0.hasPrefix("-A ") })
            let servers = saved.count(where: { $0.hasPrefix("-a ") })
            let missing = expected.subtracting(found).sorted().prefix(3)
            let extra = found.subtracting(expected).sorted().prefix(3)
            throw BenchmarkFailure(
                "after \(step) the kernel holds \(services) IPVS services and \(servers) real servers "
                    + "(\(saved.count) rules), expected \(expected.count) rules; "
                    + "missing e.g. \(Array(missing)), unexpected e.g. \(Array(extra))")
        }
    }

    /// Deletes every IPVS service: the guest's IPVS table belongs to the benchmark alone.
    static func clearIPVS() throws {
        try Shell.check("ipvsadm", ["-C"])
        try expectRules([], after: "ipvsadm -C")
    }

    // MARK: - Figures

    /// The median of some durations (the upper one of an even count).
    static func median<T: Comparable>(_ values: [T]) -> T { values.sorted()[values.count / 2] }

    /// "12.3 ms" below a second, "12.34 s" above.
    static func format(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return seconds < 1 ? String(format: "%.1f ms", seconds * 1e3) : String(format: "%.2f s", seconds)
    }

    /// Rudder's figure over the reference's, as the last line of every scenario prints it.
    static func ratio(_ rudder: Duration, _ reference: Duration) -> String {
        String(format: "%.3f", rudder / reference)
    }
}
