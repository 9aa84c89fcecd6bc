import Agent
import ArgumentParser
import Foundation

/// The `rudder` command line.
@main
struct Rudder: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rudder",
        abstract: "Rudder: a Kubernetes node agent for IPVS service proxying, pod routing, BGP and JVM metrics.",
        version: RudderVersion.description,
        subcommands: [
            VersionCommand.self, CheckConfigCommand.self, RunCommand.self, RoutesCommand.self, ProxyCommand.self,
            JVMCommand.self, BGPCommand.self, CNICommand.self, CleanupCommand.self,
        ])

    /// Sets the allocator up before any thread allocates, then runs the command.
    static func main() async {
        FreeMemory.useOneArena(environment: ProcessInfo.processInfo.environment)
        await main(nil)
    }
}
