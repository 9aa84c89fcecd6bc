import Agent
import ArgumentParser
import Logging

/// `rudder routes`: pod-CIDR routes without the rest of the agent.
struct RoutesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routes", abstract: "Apply or list pod-CIDR routes.",
        subcommands: [Apply.self, List.self])

    /// Options shared by the routes subcommands.
    struct Common: ParsableArguments {
        @Option(help: "Agent configuration file (for podRouting settings).") var config: String?
        @Option(help: "Work inside this network namespace (a name from `ip netns list`).") var namespace: String?

        func load() throws -> RudderConfiguration {
            guard let config else { return .default }
            do {
                return try RudderConfiguration.load(path: config)
            } catch {
                printError("\(error)")
                throw ExitCode(1)
            }
        }
    }

    /// `rudder routes apply --file FILE`.
    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make Rudder's routes equal to a routes file: add, replace and delete as needed.")

        @OptionGroup var common: Common
        @Option(help: "The routes file (see docs/examples/routes.yaml).") var file: String
        @Flag(help: "Keep running and repair routes that someone deletes or changes, until interrupted.") var watch =
            false

        func run() async throws {
            let configuration = try common.load()
            let routes: RoutesFile
            do {
                routes = try RoutesFile.load(path: file)
            } catch {
                printError("\(error)\nnothing was applied")
                throw ExitCode(1)
            }
            let logger = bootstrapLogging(level: configuration.logLevel, format: configuration.logging.format)
            let outcome = FailureFlag()
            try await StandaloneRoutes.apply(
                routes, configuration: configuration, namespaceName: common.namespace, watch: watch, logger: logger
            ) { applied in
                printLine(applied.summary)
                for error in applied.errors { printError(error) }
                outcome.set(applied.failed)
            }
            if outcome.isSet { throw ExitCode(2) }
        }
    }

    /// `rudder routes list`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the routes Rudder owns.")

        @OptionGroup var common: Common
        @Option(name: .shortAndLong, help: "text (like ip route) or json.") var output: OutputFormat = .text

        func run() throws {
            let configuration = try common.load()
            if output == .json {
                print(try StandaloneRoutes.listJSON(configuration: configuration, namespaceName: common.namespace))
                return
            }
            for line in try StandaloneRoutes.list(configuration: configuration, namespaceName: common.namespace) {
                print(line)
            }
        }
    }
}
