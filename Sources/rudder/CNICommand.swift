import Addresses
import Agent
import ArgumentParser

/// `rudder cni`: the pod network's CNI configuration.
struct CNICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cni", abstract: "Show the CNI configuration Rudder writes.", subcommands: [Show.self])

    /// `rudder cni show`.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the conflist Rudder would write and the one on disk.",
            discussion: """
                Without --pod-cidr the running agent says what it wants (it knows the node's pod CIDRs and \
                MTU); with --pod-cidr the conflist is rendered here from the configuration file.
                """)

        @Option(help: "Agent configuration file (for the podNetwork settings).") var config: String?
        @Option(help: "Render for this pod CIDR instead of asking the agent (repeat for dual-stack).") var podCIDR:
            [String] = []
        @Option(help: "The MTU when rendering with --pod-cidr (default: podNetwork.mtu, else 1500).") var mtu: UInt32?
        @Option(help: "The agent's control socket.") var socket = ControlServer.defaultPath

        func run() throws {
            let configuration: RudderConfiguration
            do {
                configuration = try config.map { try RudderConfiguration.load(path: $0) } ?? .default
            } catch {
                printError("\(error)")
                throw ExitCode(1)
            }
            if podCIDR.isEmpty {
                let wanted = try answer(to: "cni", socket: socket)
                print(
                    CNIShow.report(wanted: wanted, source: "the running agent", configuration: configuration),
                    terminator: "")
                return
            }
            var prefixes: [IPPrefix] = []
            for text in podCIDR {
                do {
                    prefixes.append(try IPPrefix(parsing: text))
                } catch {
                    printError("--pod-cidr \(text): \(error)")
                    throw ExitCode(1)
                }
            }
            let wanted = CNIShow.rendered(configuration: configuration, podCIDRs: prefixes, mtu: mtu)
            print(CNIShow.report(wanted: wanted, source: "rendered here", configuration: configuration), terminator: "")
        }
    }
}
