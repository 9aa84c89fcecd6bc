import Agent
import ArgumentParser
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
        var record = StandaloneProxy.defaultRecordPath
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
            try await StandaloneProxy.apply(
                services, namespaceName: common.namespace, recordPath: common.record, watch: watch,
                resyncInterval: .seconds(resyncSeconds), logger: logger
            ) { outcome in
                printLine(outcome.summary)
                for error in outcome.errors { printError(error) }
                failed.set(outcome.failed)
            }
            if failed.isSet || !services.problems.isEmpty { throw ExitCode(2) }
        }
    }

    /// `rudder proxy list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show IPVS services like `ipvsadm -Ln`, with names.")

        @OptionGroup var common: Common
        @Option(name: .shortAndLong, help: "text (like ipvsadm -Ln) or json.") var output: OutputFormat = .text

        func run() async throws {
            if output == .json {
                print(try await StandaloneProxy.listJSON(namespaceName: common.namespace, recordPath: common.record))
                return
            }
            for line in try await StandaloneProxy.list(namespaceName: common.namespace, recordPath: common.record) {
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
