import Agent
import ArgumentParser
import Foundation

/// `rudder jvm`: the containers on this node that run JVMs, with heap ceiling, limit and headroom.
struct JVMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jvm",
        abstract: "List the containers that run JVMs: heap ceiling, memory limit and headroom.",
        discussion: """
            Reads the cgroups and /proc of this host directly (run it as root on the node). Containers \
            are named from their cgroup paths (pod UID, container ID); the agent's /metrics carries \
            the Pod and container names.
            """)

    @Option(help: "A configuration file whose metrics section says where to look.") var config: String?
    @Option(help: "Look for kubelet's kubepods cgroup here (repeatable; default /).")
    var cgroupSearchPath: [String] = []
    @Option(help: "Report every leaf cgroup under this one instead of kubelet's layouts.") var plainParent: String?
    @Option(help: "The margin, in percent, a limit must keep above the heap ceiling.") var margin: Int?
    @Flag(help: "Also list containers whose JVMs cannot be judged (no memory limit).") var all = false
    @Option(name: .shortAndLong, help: "text (columns) or json (bytes).") var output: OutputFormat = .text

    func run() throws {
        var settings = RudderConfiguration.Metrics()
        if let config {
            do {
                settings = try RudderConfiguration.load(path: config).metrics
            } catch {
                printError("\(error)")
                throw ExitCode(1)
            }
        }
        if !cgroupSearchPath.isEmpty { settings.cgroupSearchPaths = cgroupSearchPath }
        if let plainParent { settings.plainParent = plainParent }
        if let margin { settings.jvmMarginPercent = margin }
        let table: JVMTable
        do {
            table = try JVMTable(settings: settings, all: all)
        } catch {
            printError("cannot read the cgroup hierarchy: \(error)")
            throw ExitCode(1)
        }
        printLine(output == .json ? table.json : table.text)
        for problem in table.problems { printError("skipped: \(problem)") }
    }
}
