import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A routing daemon running in the foreground inside a network namespace, with its output in a log file.
///
/// The process is started through `ip netns exec`, which enters the namespace and execs the
/// daemon, so the process we hold is the daemon itself and a signal reaches it directly.
public final class BGPPeerLabDaemon: Sendable {
    /// A short name for messages ("bird", "bgpd", ...).
    public let name: String
    /// Where its standard output and standard error go.
    public let logFile: String
    private let process: Mutex<Process>

    /// Starts `executable ARGUMENTS` inside `namespace`.
    public init(name: String, namespace: String, executable: String, arguments: [String], logFile: String) throws {
        self.name = name
        self.logFile = logFile
        guard let ip = Shell.resolve("ip") else { throw BGPPeerLabError(name, "ip (iproute2) not found") }
        guard let program = Shell.resolve(executable) else {
            throw BGPPeerLabError(name, "\(executable) not found; install it with scripts/install-deps.sh")
        }
        let descriptor = open(logFile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw BGPPeerLabError(name, "cannot open \(logFile): \(String(cString: strerror(errno)))")
        }
        let log = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        defer { try? log.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ip)
        process.arguments = ["netns", "exec", namespace, program] + arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        do {
            try process.run()
        } catch {
            throw BGPPeerLabError(name, "cannot start \(program): \(error)")
        }
        self.process = Mutex(process)
    }

    deinit {
        kill()
    }

    /// The process id.
    public var pid: Int32 { process.withLock { $0.processIdentifier } }

    /// Whether the process still runs.
    public var isRunning: Bool { process.withLock { $0.isRunning } }

    /// Asks the daemon to exit (SIGTERM) and waits for it; kills it (SIGKILL) after `timeout`.
    public func stop(timeout: Duration = .seconds(3)) async {
        signal(SIGTERM)
        let deadline = ContinuousClock.now + timeout
        while isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        kill()
    }

    /// Kills the daemon with SIGKILL and reaps it; does nothing once it has exited.
    public func kill() {
        process.withLock { process in
            guard process.isRunning else { return }
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// The last `lines` lines of the daemon's log, for error messages.
    public func logTail(lines: Int = 20) -> String {
        let text = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    private func signal(_ number: Int32) {
        process.withLock { process in
            if process.isRunning { Glibc.kill(process.processIdentifier, number) }
        }
    }
}
