import Foundation
import RudderLab
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The parent's handle on a `bgp-speaker-child` process running in a namespace: its pid, the
/// lines it printed so far, and a way to stop it (closing its stdin, then SIGKILL).
final class BGPBenchChildProcess: Sendable {
    private let process: Mutex<Process>
    private let input: FileHandle
    private let lines = Lines()
    /// The child's pid (the speaker itself: `ip netns exec` execs it).
    let pid: Int32

    /// Starts this executable's `bgp-speaker-child` with `arguments` in `namespace`.
    init(namespace: String, arguments: [String]) throws {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Shell.resolve("ip") ?? "/usr/sbin/ip")
        // RUDDER_BENCH_CHILD_WRAPPER="heaptrack -o /tmp/x" profiles the child; its figures then mean nothing.
        let wrapper =
            ProcessInfo.processInfo.environment["RUDDER_BENCH_CHILD_WRAPPER"]?.split(separator: " ")
            .map(String.init) ?? []
        process.arguments = ["netns", "exec", namespace] + wrapper + [executable, "bgp-speaker-child"] + arguments
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        self.process = Mutex(process)
        self.input = stdin.fileHandleForWriting
        self.pid = process.processIdentifier
        let output = stdout.fileHandleForReading
        let lines = self.lines
        // A blocking reader on its own thread: the child may print nothing for a long time.
        Thread.detachNewThread {
            var pending = ""
            while case let data = output.availableData, !data.isEmpty {
                pending += String(decoding: data, as: UTF8.self)
                while let newline = pending.firstIndex(of: "\n") {
                    let line = String(pending[..<newline])
                    pending = String(pending[pending.index(after: newline)...])
                    lines.all.withLock { $0.append((line, ContinuousClock.now)) }
                }
            }
        }
    }

    deinit {
        kill()
    }

    /// The first line printed so far that starts with `prefix`, and when it arrived.
    func line(startingWith prefix: String) -> (line: String, at: ContinuousClock.Instant)? {
        lines.all.withLock { $0.first { $0.line.hasPrefix(prefix) } }
    }

    /// Writes `line` to the child's stdin.
    func send(_ line: String) throws {
        try input.write(contentsOf: Data((line + "\n").utf8))
    }

    /// Whether the child still runs.
    var isRunning: Bool { process.withLock { $0.isRunning } }

    /// Closes the child's stdin (it stops its speaker with a Cease and exits), waits up to
    /// `timeout`, then kills it.
    func stop(timeout: Duration = .seconds(5)) async {
        try? input.close()
        let deadline = ContinuousClock.now + timeout
        while isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        kill()
    }

    /// SIGKILL and reap; nothing once it has exited.
    func kill() {
        process.withLock { process in
            guard process.isRunning else { return }
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// The lines the child printed and when each arrived, shared with the reader thread.
    private final class Lines: Sendable {
        let all = Mutex<[(line: String, at: ContinuousClock.Instant)]>([])
    }
}
