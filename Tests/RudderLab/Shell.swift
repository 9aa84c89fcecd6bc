import Foundation

/// What a finished command printed and how it exited.
public struct CommandResult: Sendable, Equatable {
    /// The command line that ran, for messages.
    public var commandLine: [String]
    /// The exit status, or the signal number when `wasSignaled`.
    public var status: Int32
    /// Whether the command was ended by a signal rather than by exiting.
    public var wasSignaled: Bool
    /// Everything written to standard output.
    public var stdout: String
    /// Everything written to standard error.
    public var stderr: String

    /// Whether the command exited with status 0.
    public var succeeded: Bool { !wasSignaled && status == 0 }

    /// A command's outcome.
    public init(commandLine: [String], status: Int32, wasSignaled: Bool, stdout: String, stderr: String) {
        self.commandLine = commandLine
        self.status = status
        self.wasSignaled = wasSignaled
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// A command that could not start or that exited unsuccessfully.
public struct ShellError: Error, CustomStringConvertible, Sendable {
    /// The command line that failed.
    public var commandLine: [String]
    /// The outcome, when the command ran at all.
    public var result: CommandResult?
    /// Why the command could not start, when it did not.
    public var reason: String?

    /// A failure to run `commandLine`.
    public init(commandLine: [String], result: CommandResult? = nil, reason: String? = nil) {
        self.commandLine = commandLine
        self.result = result
        self.reason = reason
    }

    /// One line: the command, how it ended, and its standard error.
    public var description: String {
        let command = commandLine.joined(separator: " ")
        if let reason { return "\(command): \(reason)" }
        guard let result else { return "\(command): failed" }
        let how = result.wasSignaled ? "killed by signal \(result.status)" : "exit status \(result.status)"
        let detail = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        return detail.isEmpty ? "\(command): \(how)" : "\(command): \(how): \(detail)"
    }
}

/// Runs external commands (ip, modprobe, linux.uml) for tests and benchmarks.
public enum Shell {
    /// Runs `command` with `arguments`, waits for it, and returns what it printed and its status.
    ///
    /// Output goes to unlinked temporary files rather than pipes, so a chatty command cannot
    /// deadlock against a full pipe and a daemon that inherits the descriptors cannot keep us
    /// waiting for end-of-file.
    public static func run(
        _ command: String, _ arguments: [String] = [], environment: [String: String]? = nil,
        workingDirectory: String? = nil
    ) throws -> CommandResult {
        let commandLine = [command] + arguments
        guard let executable = resolve(command) else {
            throw ShellError(commandLine: commandLine, reason: "command not found")
        }
        let stdout = try UnlinkedFile()
        let stderr = try UnlinkedFile()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let workingDirectory {
            process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory)
        }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdout.handle
        process.standardError = stderr.handle
        do {
            try process.run()
        } catch {
            throw ShellError(commandLine: commandLine, reason: "cannot start: \(error)")
        }
        process.waitUntilExit()
        return CommandResult(
            commandLine: commandLine, status: process.terminationStatus,
            wasSignaled: process.terminationReason == .uncaughtSignal,
            stdout: stdout.contents(), stderr: stderr.contents())
    }

    /// Runs `command` as `run` does, but with posix_spawn and waitpid instead of Foundation's
    /// `Process`, for commands that leave daemons behind (`podman kube play` leaves conmon).
    ///
    /// Foundation learns of a child's exit from a socket the child inherits, so a daemon the child
    /// starts inherits it too, and `waitUntilExit` waits for the daemon: here nothing but the
    /// output files and /dev/null reaches the child.
    public static func runLeavingDaemons(
        _ command: String, _ arguments: [String] = [], environment: [String: String]? = nil
    ) throws -> CommandResult {
        let commandLine = [command] + arguments
        guard let executable = resolve(command) else {
            throw ShellError(commandLine: commandLine, reason: "command not found")
        }
        let stdout = try UnlinkedFile()
        let stderr = try UnlinkedFile()
        let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
        guard null >= 0 else { throw ShellError(commandLine: commandLine, reason: "cannot open /dev/null") }
        defer { close(null) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, null, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout.handle.fileDescriptor, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr.handle.fileDescriptor, 2)
        // Every other descriptor of this process stays out of the child: those of Foundation's
        // own children included, which are not all close-on-exec.
        for descriptor in openDescriptors() where descriptor > 2 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
        let variables = (ProcessInfo.processInfo.environment.merging(environment ?? [:]) { $1 }).map { "\($0)=\($1)" }
        let argv = commandLine.map { strdup($0) } + [nil]
        let envp = variables.map { strdup($0) } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard spawned == 0 else {
            throw ShellError(commandLine: commandLine, reason: "cannot start: \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else {
                throw ShellError(commandLine: commandLine, reason: "waitpid: \(String(cString: strerror(errno)))")
            }
        }
        // WIFEXITED and WEXITSTATUS are macros Swift cannot import.
        let signaled = status & 0x7f != 0
        return CommandResult(
            commandLine: commandLine, status: signaled ? status & 0x7f : (status >> 8) & 0xff, wasSignaled: signaled,
            stdout: stdout.contents(), stderr: stderr.contents())
    }

    /// The descriptors this process has open now.
    private static func openDescriptors() -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap { Int32($0) }
    }

    /// Runs a command and returns its standard output, throwing `ShellError` unless it exits with 0.
    @discardableResult
    public static func check(
        _ command: String, _ arguments: [String] = [], environment: [String: String]? = nil,
        workingDirectory: String? = nil
    ) throws -> String {
        let result = try run(command, arguments, environment: environment, workingDirectory: workingDirectory)
        guard result.succeeded else { throw ShellError(commandLine: result.commandLine, result: result) }
        return result.stdout
    }

    /// The absolute path of `command`: itself when it has a slash, else the first match on PATH.
    public static func resolve(_ command: String) -> String? {
        if command.contains("/") {
            return FileManager.default.isExecutableFile(atPath: command) ? command : nil
        }
        // sbin is searched too because `ip` and `modprobe` live there and PATH may lack it.
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        for directory in directories where !directory.isEmpty {
            let candidate = directory + "/" + command
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

/// A temporary file that has no name: it disappears when the last descriptor closes.
struct UnlinkedFile {
    let handle: FileHandle

    init() throws {
        var template = Array("/tmp/rudder-shell-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw ShellError(commandLine: [], reason: "mkstemp: \(String(cString: strerror(errno)))") }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    /// Everything written so far; the child shares our file offset, so read from the start.
    func contents() -> String {
        let fd = handle.fileDescriptor
        lseek(fd, 0, SEEK_SET)
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            data.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: data, as: UTF8.self)
    }
}
