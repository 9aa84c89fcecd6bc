import Addresses
import Netlink

#if canImport(Glibc)
    import Glibc
#endif

/// `iptables-save` and `iptables-restore` of one variant, run inside one network namespace.
///
/// The variant must be the one the node's other rules use, since the two keep separate tables:
/// Debian 12's default is nft; User-Mode Linux guests have only legacy. Calls block on a child
/// process: run them on a thread of their own, never on the cooperative pool.
public struct IPTables: Sendable {
    /// The namespace the tools run in.
    public let namespace: NetworkNamespace
    /// Which iptables to run: "legacy", "nft", or nil for the system's default (`iptables`).
    public let variant: String?

    /// The tools of `variant` in `namespace`.
    public init(namespace: NetworkNamespace = .current, variant: String? = nil) {
        self.namespace = namespace
        self.variant = variant
    }

    /// What `iptables-save -t TABLE` prints for `family`.
    public func save(_ family: AddressFamily, table: String) throws -> String {
        try run(tool(family, "save"), ["-t", table], input: nil)
    }

    /// Feeds `script` to `iptables-restore --noflush`, so that every rule it does not name stays.
    public func restore(_ family: AddressFamily, script: String) throws {
        _ = try run(tool(family, "restore"), ["--noflush", "-w", "5"], input: script)
    }

    /// Makes `table`'s owned chains and jumps what `enabled` wants; returns 1 for a restore, 0 when
    /// `iptables-save` already showed them so.
    public func sync(_ table: RuleTable, _ family: AddressFamily, enabled: Bool) throws -> Int {
        let observed = table.observe(save: try save(family, table: table.name))
        guard let script = table.restoreScript(for: family, enabled: enabled, observed: observed) else { return 0 }
        try restore(family, script: script)
        return 1
    }

    /// The tool's name: "iptables-legacy-restore", "ip6tables-save", ...
    private func tool(_ family: AddressFamily, _ action: String) -> String {
        let base = family == .ipv4 ? "iptables" : "ip6tables"
        return [base, variant, action].compactMap(\.self).joined(separator: "-")
    }

    /// Runs `tool` inside the namespace and returns its stdout; a non-zero exit throws.
    private func run(_ tool: String, _ arguments: [String], input: String?) throws -> String {
        let command = [tool] + arguments
        // A child forked by a thread that entered the namespace starts in that namespace.
        let result = try namespace.run { () throws -> (Int32?, String, String) in
            try Self.spawn(command, input: input)
        }
        guard result.0 == 0 else { throw NetfilterError(command: command, status: result.0, message: result.2) }
        return result.1
    }

    /// Where the tools live; an agent's PATH may lack the sbin folders.
    private static let searchPath = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]

    /// Spawns `command` with `input` on stdin and collects stdout and stderr; returns the exit
    /// status, or nil if a signal ended it.
    private static func spawn(_ command: [String], input: String?) throws -> (Int32?, String, String) {
        let fail = { (message: String) in NetfilterError(command: command, status: nil, message: message) }
        let executable =
            searchPath.map { "\($0)/\(command[0])" }.first { access($0, X_OK) == 0 } ?? command[0]
        var pipes: [[Int32]] = []
        defer { for pipe in pipes { for fd in pipe where fd >= 0 { close(fd) } } }
        for _ in 0..<3 {
            var fds: [Int32] = [-1, -1]
            guard pipe(&fds) == 0 else { throw fail("pipe: \(String(cString: strerror(errno)))") }
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            pipes.append(fds)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipes[0][0], 0)
        posix_spawn_file_actions_adddup2(&actions, pipes[1][1], 1)
        posix_spawn_file_actions_adddup2(&actions, pipes[2][1], 2)
        let argv = command.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw fail("cannot start \(executable): \(String(cString: strerror(spawned)))") }
        // The child holds its own copies; the parent's ends must close for EOF to arrive.
        close(pipes[0][0])
        close(pipes[1][1])
        close(pipes[2][1])
        (pipes[0][0], pipes[1][1], pipes[2][1]) = (-1, -1, -1)

        // The scripts are far smaller than a pipe's buffer, so writing all first cannot deadlock.
        if let input {
            var bytes = Array(input.utf8)[...]
            while !bytes.isEmpty {
                let written = bytes.withUnsafeBytes { write(pipes[0][1], $0.baseAddress, $0.count) }
                if written < 0 {
                    if errno == EINTR { continue }
                    break
                }
                bytes = bytes.dropFirst(written)
            }
        }
        close(pipes[0][1])
        pipes[0][1] = -1
        let (stdout, stderr) = readBoth(pipes[1][0], pipes[2][0])

        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw fail("waitpid: \(String(cString: strerror(errno)))") }
        }
        // WIFEXITED and WEXITSTATUS are macros Swift cannot import.
        let exited = status & 0x7f == 0
        return (exited ? (status >> 8) & 0xff : nil, stdout, stderr)
    }

    /// Reads two pipes to their ends at once, so that neither fills while the other is read.
    private static func readBoth(_ first: Int32, _ second: Int32) -> (String, String) {
        var outputs: [[UInt8]] = [[], []]
        var open = [first, second]
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while open.contains(where: { $0 >= 0 }) {
            var polled = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&polled, nfds_t(polled.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            for index in polled.indices where open[index] >= 0 && polled[index].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(open[index], $0.baseAddress, $0.count) }
                if count > 0 {
                    outputs[index] += buffer[..<count]
                } else if count == 0 || errno != EINTR {
                    open[index] = -1
                }
            }
        }
        return (String(decoding: outputs[0], as: UTF8.self), String(decoding: outputs[1], as: UTF8.self))
    }
}
