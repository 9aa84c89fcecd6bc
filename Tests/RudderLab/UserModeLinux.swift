import Foundation
import Synchronization

/// What a command run inside a User-Mode Linux guest printed and how it exited.
public struct GuestResult: Sendable {
    /// The command's standard output and standard error, interleaved.
    public var output: String
    /// The command's exit status inside the guest.
    public var exitStatus: Int32
    /// The guest's console (kernel messages and the init script's own output), for diagnostics.
    public var console: String
    /// Wall-clock time from starting the kernel until it exited.
    public var elapsed: Duration

    /// A guest command's outcome.
    public init(output: String, exitStatus: Int32, console: String, elapsed: Duration) {
        self.output = output
        self.exitStatus = exitStatus
        self.console = console
        self.elapsed = elapsed
    }
}

/// Why a User-Mode Linux guest gave no result.
public enum UserModeLinuxError: Error, CustomStringConvertible, Sendable {
    /// The kernel binary is missing or the caller may not run it.
    case unavailable(String)
    /// The request cannot be turned into an init script.
    case invalidRequest(String)
    /// The kernel could not be started.
    case cannotStart(String)
    /// The guest ran past its deadline and was killed.
    case timedOut(Duration, consoleTail: String)
    /// A requested kernel module did not load inside the guest.
    case moduleLoadFailed(module: String, output: String)
    /// The guest exited without recording the command's status (it crashed or panicked).
    case noResult(kernelStatus: Int32, consoleTail: String)

    /// One line naming what failed, followed by the console's end where there is one.
    public var description: String {
        switch self {
        case .unavailable(let why): "User-Mode Linux unavailable: \(why)"
        case .invalidRequest(let why): "invalid guest request: \(why)"
        case .cannotStart(let why): "cannot start User-Mode Linux: \(why)"
        case .timedOut(let limit, let tail): "User-Mode Linux guest killed after \(limit); console ends:\n\(tail)"
        case .moduleLoadFailed(let module, let output): "modprobe \(module) failed in the guest: \(output)"
        case .noResult(let status, let tail):
            "User-Mode Linux exited (status \(status)) without a command status; console ends:\n\(tail)"
        }
    }
}

/// The outcome of running one Swift Testing test of this bundle inside a guest.
public struct GuestTestResult: Sendable, CustomStringConvertible {
    /// The guest run of the test bundle.
    public var guest: GuestResult
    /// The filter passed to the bundle.
    public var filter: String
    /// How many tests Swift Testing's summary line counts (skipped ones included); nil when it printed none.
    public var testCount: Int?
    /// Whether Swift Testing's summary line says the run passed.
    public var summaryPassed: Bool
    /// Names of the tests reported as passed, such as "ipvsFamilyResolvesInGuest()".
    public var passedTests: [String]
    /// Names of the tests reported as skipped or cancelled.
    public var skippedTests: [String]

    /// True when exactly one test ran in the guest and passed.
    ///
    /// The exit status alone is not enough: a filter that matches nothing exits 69 but one that
    /// matches a disabled test exits 0, and the summary counts a skipped test as passed.
    public var passed: Bool {
        guest.exitStatus == 0 && summaryPassed && testCount == 1 && passedTests.count == 1 && skippedTests.isEmpty
    }

    /// A guest test outcome; the counts are parsed from Swift Testing's output in `guest.output`.
    public init(guest: GuestResult, filter: String) {
        self.guest = guest
        self.filter = filter
        let report = SwiftTestingReport(output: guest.output)
        testCount = report.testCount
        summaryPassed = report.summaryPassed
        passedTests = report.passedTests
        skippedTests = report.skippedTests
    }

    /// The counts and the end of the guest's output, for an assertion message.
    public var description: String {
        let count = testCount.map { "\($0) test(s) in summary" } ?? "no Swift Testing summary"
        let tail = guest.output.split(separator: "\n", omittingEmptySubsequences: false).suffix(40)
            .joined(separator: "\n")
        return """
            guest test \(filter): exit \(guest.exitStatus), \(count), passed \(passedTests), \
            skipped \(skippedTests); output ends:
            \(tail)
            """
    }
}

/// Boots Debian's User-Mode Linux kernel with the host's filesystem as root and runs a command in it.
///
/// The host kernel has no IPVS and no dummy links; the UML kernel has both as modules, so tests
/// that need them run their kernel-facing half in a guest (see DESIGN.md, "Kernel sandbox").
public enum UserModeLinux: Sendable {
    /// The kernel binary from the `user-mode-linux` package.
    public static let kernelPath = "/usr/bin/linux.uml"
    /// Where the package keeps the guest kernel's modules, one folder per kernel version.
    public static let modulesDirectory = "/usr/lib/uml/modules"
    /// The environment variable set to "1" inside every guest.
    public static let guestMarkerVariable = "RUDDER_IN_GUEST"

    /// Whether this process runs inside a guest started by `run`.
    public static var isGuest: Bool {
        ProcessInfo.processInfo.environment[guestMarkerVariable] == "1"
    }

    /// Whether a guest can be booted here: the kernel is installed and we are root.
    ///
    /// Root is needed because the guest's init mounts filesystems and writes as root through hostfs.
    public static var isAvailable: Bool {
        !isGuest && geteuid() == 0 && FileManager.default.isExecutableFile(atPath: kernelPath)
    }

    /// Runs `arguments` (an executable and its arguments, searched on PATH) inside a fresh guest.
    public static func run(
        _ arguments: [String], modules: [String] = [], memoryMiB: Int = 512,
        environment: [String: String] = [:], timeout: Duration = .seconds(300)
    ) async throws -> GuestResult {
        guard !arguments.isEmpty else { throw UserModeLinuxError.invalidRequest("empty command") }
        return try await boot(
            command: arguments, modules: modules, memoryMiB: memoryMiB, environment: environment, timeout: timeout)
    }

    /// Runs a `/bin/sh` snippet inside a fresh guest.
    public static func run(
        shell script: String, modules: [String] = [], memoryMiB: Int = 512,
        environment: [String: String] = [:], timeout: Duration = .seconds(300)
    ) async throws -> GuestResult {
        try await run(
            ["/bin/sh", "-c", script], modules: modules, memoryMiB: memoryMiB, environment: environment,
            timeout: timeout)
    }

    /// Runs one Swift Testing test of the executing test bundle inside a guest.
    ///
    /// `testName` is matched like `swift test --filter`: a regular expression searched in the test's
    /// identifier (`Module.Suite/function()`), so `"SandboxTests/dummyLinkInGuest"` picks one test.
    /// Check `passed`: it requires that exactly one test ran and passed.
    public static func runTestInGuest(
        _ testName: String, modules: [String] = [], memoryMiB: Int = 512,
        environment: [String: String] = [:], timeout: Duration = .seconds(300)
    ) async throws -> GuestTestResult {
        let bundle = try testBundlePath()
        let arguments = [bundle, "--testing-library", "swift-testing", "--filter", testName]
        // Colour codes would clutter the output that a failing host test shows.
        let environment = ["NO_COLOR": "1"].merging(environment) { $1 }
        let guest = try await run(
            arguments, modules: modules, memoryMiB: memoryMiB, environment: environment, timeout: timeout)
        return GuestTestResult(guest: guest, filter: testName)
    }

    /// The executable of this process; under `swift test` on Linux that is the `.xctest` bundle itself.
    public static func testBundlePath() throws -> String {
        do {
            return try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        } catch {
            throw UserModeLinuxError.invalidRequest("cannot resolve /proc/self/exe: \(error)")
        }
    }

    // MARK: - Booting

    /// Writes the init script, runs the kernel until it halts, is killed, or is cancelled, and reads the result.
    private static func boot(
        command: [String], modules: [String], memoryMiB: Int, environment: [String: String], timeout: Duration
    ) async throws -> GuestResult {
        try Task.checkCancellation()
        guard geteuid() == 0 else { throw UserModeLinuxError.unavailable("must run as root") }
        guard FileManager.default.isExecutableFile(atPath: kernelPath) else {
            throw UserModeLinuxError.unavailable("\(kernelPath) not installed (package user-mode-linux)")
        }
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let initPath = scratch + "/init"
        // The guest gets its own, later deadline: it halts even if this process dies and cannot kill it.
        let guestLimit = timeout.components.seconds + 30
        let script = try initScript(
            command: command, modules: modules, environment: environment, scratch: scratch, limitSeconds: guestLimit)
        try Data(script.utf8).write(to: URL(fileURLWithPath: initPath))
        guard chmod(initPath, 0o755) == 0 else {
            throw UserModeLinuxError.cannotStart("chmod \(initPath): \(String(cString: strerror(errno)))")
        }

        let consolePath = scratch + "/console"
        guard FileManager.default.createFile(atPath: consolePath, contents: nil),
            let console = FileHandle(forWritingAtPath: consolePath)
        else { throw UserModeLinuxError.cannotStart("cannot create \(consolePath)") }
        defer { try? console.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: kernelPath)
        process.arguments = [
            "mem=\(memoryMiB)M", "root=/dev/root", "rootfstype=hostfs", "rootflags=/", "rw", "quiet",
            "init=\(initPath)", "con=null", "con0=fd:0,fd:1",
        ]
        // A terminal on stdin lets UML put it in raw mode; /dev/null keeps the caller's terminal intact.
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = console
        process.standardError = console

        let guest = GuestProcess()
        let started = ContinuousClock.now
        let status: Int32 = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
                process.terminationHandler = { finished in continuation.resume(returning: finished.terminationStatus) }
                do {
                    try process.run()
                } catch {
                    process.terminationHandler = nil
                    continuation.resume(throwing: UserModeLinuxError.cannotStart("\(error)"))
                    return
                }
                guest.started(processGroup: process.processIdentifier)
                guest.startWatchdog(timeout: timeout)
            }
        } onCancel: {
            guest.cancel()
        }
        let elapsed = ContinuousClock.now - started
        await guest.finished()

        let consoleText = (try? String(contentsOfFile: consolePath, encoding: .utf8)) ?? ""
        if guest.outcome == .cancelled { throw CancellationError() }
        if guest.outcome == .timedOut {
            throw UserModeLinuxError.timedOut(timeout, consoleTail: tail(of: consoleText))
        }
        if let module = try? String(contentsOfFile: scratch + "/module-failed", encoding: .utf8) {
            let output = (try? String(contentsOfFile: scratch + "/modprobe-output", encoding: .utf8)) ?? ""
            throw UserModeLinuxError.moduleLoadFailed(
                module: module.trimmingCharacters(in: .whitespacesAndNewlines),
                output: output.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        guard let statusText = try? String(contentsOfFile: scratch + "/status", encoding: .utf8),
            let exitStatus = Int32(statusText.trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            throw UserModeLinuxError.noResult(kernelStatus: status, consoleTail: tail(of: consoleText))
        }
        let output = (try? String(contentsOfFile: scratch + "/output", encoding: .utf8)) ?? ""
        return GuestResult(output: output, exitStatus: exitStatus, console: consoleText, elapsed: elapsed)
    }

    /// A private folder under /tmp that the guest reaches through hostfs at the same path.
    private static func makeScratchDirectory() throws -> String {
        var template = Array("/tmp/rudder-uml-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard created != nil else {
            throw UserModeLinuxError.cannotStart("mkdtemp: \(String(cString: strerror(errno)))")
        }
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// The guest's PID 1: it reports through files in `scratch`, since the init's exit status is lost.
    static func initScript(
        command: [String], modules: [String], environment: [String: String], scratch: String, limitSeconds: Int64
    ) throws -> String {
        for name in environment.keys where !isShellName(name) {
            throw UserModeLinuxError.invalidRequest("environment variable name \(name.debugDescription)")
        }
        for module in modules where module.isEmpty || module.hasPrefix("-") {
            throw UserModeLinuxError.invalidRequest("module name \(module.debugDescription)")
        }
        let hostPath = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let path = [hostPath, "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
            .filter { !$0.isEmpty }.joined(separator: ":")
        let exports = environment.sorted { $0.key < $1.key }
            .map { "export \($0.key)=\(shellQuoted($0.value))\n" }.joined()
        return """
            #!/bin/sh
            # PID 1 of a User-Mode Linux guest started by Rudder's test support.
            export PATH=\(shellQuoted(path))
            scratch=\(shellQuoted(scratch))
            finish() { sync; echo 'rudder-guest: halting'; halt -f; }
            mount -t proc proc /proc
            mount -t sysfs sysfs /sys
            # The root is the host's own; a private /run keeps `ip netns add` from writing to the host's /run.
            mount -t tmpfs tmpfs /run
            mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null
            # modprobe -d gets a private module root so nothing is created under the host's /lib/modules.
            mkdir -p /run/rudder-modules/lib/modules
            ln -s \(shellQuoted(modulesDirectory))/$(uname -r) /run/rudder-modules/lib/modules/$(uname -r)
            for module in \(modules.map(shellQuoted).joined(separator: " ")); do
                if ! modprobe -d /run/rudder-modules "$module" >"$scratch/modprobe-output" 2>&1; then
                    echo "rudder-guest: modprobe $module failed"
                    echo "$module" >"$scratch/module-failed"
                    finish
                fi
            done
            ip link set lo up
            \(exports)export \(guestMarkerVariable)=1
            cd "$scratch"
            set -- \(command.map(shellQuoted).joined(separator: " "))
            timeout -k 5 \(limitSeconds) "$@" >"$scratch/output" 2>&1 </dev/null
            # Written under another name and renamed, so a half-written status is never read.
            echo $? >"$scratch/status.partial" && mv "$scratch/status.partial" "$scratch/status"
            finish

            """
    }

    /// `value` as one single-quoted word for /bin/sh.
    static func shellQuoted(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Whether `name` can be exported by /bin/sh.
    private static func isShellName(_ name: String) -> Bool {
        name.wholeMatch(of: /[A-Za-z_][A-Za-z0-9_]*/) != nil
    }

    /// The last lines of `text`: the console's end usually says why a guest died.
    private static func tail(of text: String, lines: Int = 30) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }
}

/// The running kernel's process group, shared by the waiter, the watchdog and the cancellation handler.
private final class GuestProcess: Sendable {
    /// How the guest ended; only the first reason to stop it counts.
    enum Outcome: Sendable { case running, exited, timedOut, cancelled }

    private struct State {
        var processGroup: pid_t?
        var outcome = Outcome.running
        var cancelRequested = false
        var watchdog: Task<Void, Never>?
    }

    private let state = Mutex(State())

    var outcome: Outcome { state.withLock { $0.outcome } }

    /// Records the started kernel, killing it at once when cancellation came first.
    func started(processGroup: pid_t) {
        let cancelled = state.withLock { state in
            state.processGroup = processGroup
            return state.cancelRequested
        }
        if cancelled { cancel() }
    }

    /// Kills the guest when `timeout` passes before `finished()`.
    func startWatchdog(timeout: Duration) {
        let watchdog = Task { [self] in
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            stop(because: .timedOut)
        }
        state.withLock { $0.watchdog = watchdog }
    }

    /// Kills the guest on behalf of a cancelled task, or as soon as it has started.
    func cancel() {
        let known = state.withLock { state in
            state.cancelRequested = true
            return state.processGroup != nil
        }
        if known { stop(because: .cancelled) }
    }

    /// Kills the whole group: UML runs its guest processes and helpers as host processes of its own.
    private func stop(because reason: Outcome) {
        state.withLock { state in
            guard state.outcome == .running, let group = state.processGroup else { return }
            state.outcome = reason
            kill(-group, SIGKILL)
        }
    }

    /// Records the exit, then kills and waits out any member of the group the kernel left behind.
    ///
    /// After SIGKILL the helpers take a moment to die; waiting here means a caller that checks
    /// `ps` right after a timed-out or cancelled run finds no linux.uml process.
    func finished() async {
        let group = state.withLock { state in
            if state.outcome == .running { state.outcome = .exited }
            state.watchdog?.cancel()
            return state.processGroup
        }
        guard let group else { return }
        // Detached, because the caller may be a cancelled task, in which Task.sleep returns at once.
        await Task.detached {
            // Killed helpers linger as zombies until the host's init reaps them; give that a moment too.
            for _ in 0..<150 {
                let survivors = Self.members(ofProcessGroup: group)
                if survivors.isEmpty { return }
                // The leader is reaped, so its id could in theory be reused: kill by pid, not by group.
                for member in survivors where !member.isZombie { kill(member.pid, SIGKILL) }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }.value
    }

    /// Processes whose process group is `group`, read from /proc/PID/stat.
    static func members(ofProcessGroup group: pid_t) -> [(pid: pid_t, isZombie: Bool)] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> (pid: pid_t, isZombie: Bool)? in
            guard let pid = pid_t(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            // After "(comm)": state, ppid, pgrp.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, pid_t(fields[2]) == group else { return nil }
            return (pid, fields[0] == "Z")
        }
    }
}

/// What Swift Testing's console output says about a run.
///
/// Lines look like "✔ Test name() passed after 0.02 seconds.", "➜ Test name() skipped: ...",
/// and at the end "✔ Test run with 1 test in 1 suite passed after 0.03 seconds.".
struct SwiftTestingReport {
    var testCount: Int?
    var summaryPassed = false
    var passedTests: [String] = []
    var skippedTests: [String] = []

    init(output: String) {
        for line in output.split(separator: "\n") {
            if let match = line.firstMatch(of: /Test run with (\d+) tests?(?: in \d+ suites?)? (passed|failed)/) {
                testCount = Int(match.output.1)
                summaryPassed = match.output.2 == "passed"
            } else if let match = line.firstMatch(of: /Test (.+) passed after [0-9.]+ seconds/) {
                passedTests.append(String(match.output.1))
            } else if let match = line.firstMatch(of: /Test (.+?)(?: skipped| was cancelled)/) {
                skippedTests.append(String(match.output.1))
            }
        }
    }
}
