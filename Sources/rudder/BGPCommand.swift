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
