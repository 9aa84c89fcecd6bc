import Agent
import ArgumentParser

/// `rudder version`.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print Rudder's version.")

    func run() {
        print("rudder \(RudderVersion.current)")
    }
}
