import Agent
import ArgumentParser

#if canImport(Glibc)
    import Glibc
#endif

/// `rudder bgp`: ask the running agent about its BGP sessions and routes, over its control socket.
struct BGPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bgp", abstract: "Show the running agent's BGP sessions and routes (root only).",
        subcommands: [Peers.self, Routes.self])

    /// The options every subcommand shares.
    struct SocketOption: ParsableArguments {
        @Option(help: "The agent's control socket.") var socket = ControlServer.defaultPath
        @Option(name: .shortAndLong, help: "text (columns) or json.") var output: OutputFormat = .text

        /// The request line with the output format's suffix.
        func request(_ words: String) -> String { output == .json ? words + " json" : words }
    }

    /// `rudder bgp peers`, like `birdc show protocols` or `gobgp neighbor`.
    struct Peers: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every peer: state, since when, prefix counts.")
        @OptionGroup var options: SocketOption

        func run() throws { try ask(options.request("bgp peers"), socket: options.socket) }
    }

    /// `rudder bgp routes`: the best routes, or what one peer sent or was sent.
    struct Routes: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The best routes (Loc-RIB), or one peer's received or advertised routes.")
        @OptionGroup var options: SocketOption
        @Option(help: "The peer whose routes to show (with --received or --advertised).") var peer: String?
        @Flag(help: "What the peer sent (its Adj-RIB-In).") var received = false
        @Flag(help: "What was sent to the peer (its Adj-RIB-Out).") var advertised = false

        func validate() throws {
            guard !(received && advertised) else {
                throw ValidationError("choose --received or --advertised, not both")
            }
            guard (received || advertised) == (peer != nil) else {
                throw ValidationError("--peer goes with --received or --advertised")
            }
        }

        func run() throws {
            if let peer {
                let request = "bgp routes \(received ? "received" : "advertised") \(peer)"
                try ask(options.request(request), socket: options.socket)
            } else {
                try ask(options.request("bgp routes"), socket: options.socket)
            }
        }
    }
}

/// Sends one request line to the agent's control socket and prints the answer.
private func ask(_ request: String, socket path: String) throws {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw failure("cannot make a socket", errno) }
    defer { close(fd) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw failure("socket path too long", 0) }
    withUnsafeMutableBytes(of: &address.sun_path) { raw in raw.copyBytes(from: bytes) }
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
        }
    }
    guard connected == 0 else {
        let code = errno
        switch code {
        case EACCES: throw failure("\(path): permission denied (the control socket is root's)", 0)
        case ENOENT, ECONNREFUSED: throw failure("\(path): no agent is running (start it with rudder run)", 0)
        default: throw failure("cannot reach \(path)", code)
        }
    }
    let line = Array((request + "\n").utf8)
    _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    var answer: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { break }
        answer += chunk[0..<count]
    }
    let text = String(decoding: answer, as: UTF8.self)
    if text.hasPrefix("error: ") {
        printError(String(text.dropFirst("error: ".count)).trimmingCharacters(in: .newlines))
        throw ExitCode(1)
    }
    print(text, terminator: "")
}

private func failure(_ what: String, _ code: Int32) -> ExitCode {
    printError(code == 0 ? what : "\(what): \(String(cString: strerror(code)))")
    return ExitCode(1)
}
