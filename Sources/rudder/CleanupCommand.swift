import Agent
import ArgumentParser

/// `rudder cleanup`.
struct CleanupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleanup",
        abstract: "Remove everything Rudder owns from this node (stop the agent first).",
        discussion: """
            Removes the routes of Rudder's protocol in its table, the IPVS services in its ownership \
            record, its dummy link with the VIPs on it, its RUDDER-* iptables chains, jumps and ipsets, \
            and the ownership record. Nothing else is touched. Exits 1 when something could not be removed.
            """)

    @Option(help: "Agent configuration file (route protocol, table, dummy link, ownership record).") var config: String?
    @Option(help: "Work inside this network namespace (a name from `ip netns list`).") var namespace: String?
    @Flag(help: "Only print what would be removed.") var dryRun = false

    func run() async throws {
        let configuration: RudderConfiguration
        do {
            configuration = try config.map(RudderConfiguration.load(path:)) ?? .default
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
        let outcome = try await NodeCleanup.run(
            configuration: configuration, namespaceName: namespace, dryRun: dryRun)
        for step in outcome.steps { printLine((dryRun ? "would remove " : "removed ") + step.description) }
        for failure in outcome.failures { printError("failed: \(failure)") }
        if outcome.steps.isEmpty && outcome.failures.isEmpty { printLine("nothing of Rudder's on this node") }
        if !outcome.failures.isEmpty { throw ExitCode(1) }
    }
}
