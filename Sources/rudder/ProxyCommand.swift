import Agent
import ArgumentParser
import Netlink
import ServiceProxy
import Synchronization

/// `rudder proxy`: the service proxy without the rest of the agent.
struct ProxyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy", abstract: "Apply a services file to IPVS, or list IPVS services with their names.",
        subcommands: [Apply.self, List.self])

    /// Options shared by the proxy subcommands.
    struct Common: ParsableArguments {
        @Option(help: "Work inside this network namespace (a name from `ip netns list`).") var namespace: String?
        @Option(help: "The file recording which IPVS services are Rudder's.")
        var record = OwnershipRecord.defaultPath

        var networkNamespace: NetworkNamespace { namespace.map(NetworkNamespace.named) ?? .current }
    }

    /// `rudder proxy apply --file FILE`.
    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make Rudder's IPVS services equal to a services file; invalid services are reported and skipped."
        )

        @OptionGroup var common: Common
        @Option(help: "The services file (see docs/examples/services.yaml).") var file: String
        @Flag(help: "Keep running: collect drained endpoints, resync periodically, until interrupted.")
        var watch = false
        @Option(name: .customLong("resync-interval"), help: "Seconds between full resyncs with --watch.")
        var resyncSeconds: Int64 = 300

        func run() async throws {
            let services: ServicesFile
            do {
                services = try ServicesFile.load(path: file)
            } catch {
                printError("\(error)\nnothing was applied")
                throw ExitCode(1)
            }
            for problem in services.problems { printError(problem.description(file: file)) }
            let logger = bootstrapLogging(level: .warning)
            let failed = FailureFlag()
            let problemCount = Set(services.problems.map(\.line)).count
            try await StandaloneProxy.apply(
                services, namespace: common.networkNamespace, record: OwnershipRecord(path: common.record),
                watch: watch, resyncInterval: .seconds(resyncSeconds), logger: logger
            ) { report in
                printLine(
                    "applied \(report.applied.count) IPVS operations for \(services.services.count) services; "
                        + "\(report.failures.count) failed, \(report.conflicts.count) conflicts, "
                        + "\(problemCount) problems in the file")
                for failure in report.failures { printError("failed: \(failure)") }
                for conflict in report.conflicts {
                    printError("conflict: \(conflict) is held by something Rudder does not own")
                }
                failed.set(!report.failures.isEmpty)
            }
            if failed.isSet || !services.problems.isEmpty { throw ExitCode(2) }
        }
    }

    /// `rudder proxy list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show IPVS services like `ipvsadm -Ln`, with names.")

        @OptionGroup var common: Common

        func run() async throws {
            for line in try await StandaloneProxy.list(
                namespace: common.networkNamespace, record: OwnershipRecord(path: common.record))
            {
                print(line)
            }
        }
    }
}

/// Carries whether the report callback saw failures back to the command.
final class FailureFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    /// Records the outcome.
    func set(_ value: Bool) { flag.store(value, ordering: .relaxed) }

    /// Whether a failure was recorded.
    var isSet: Bool { flag.load(ordering: .relaxed) }
}
