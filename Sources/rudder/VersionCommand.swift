import Agent
import ArgumentParser

/// `rudder version`.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version", abstract: "Print Rudder's version, and the commit and date of a release build.")

    func run() {
        print(RudderVersion.description)
    }
}
