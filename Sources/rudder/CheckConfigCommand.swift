import Agent
import ArgumentParser

/// `rudder check-config FILE`: validates a configuration file and says exactly what is wrong.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config", abstract: "Validate a configuration file; list every problem with its line.")

    @Argument(help: "The configuration file (YAML).") var file: String

    func run() throws {
        do {
            _ = try RudderConfiguration.load(path: file)
            print("\(file): OK")
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
    }
}
