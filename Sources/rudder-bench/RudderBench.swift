import Agent
import ArgumentParser
import Foundation

/// `rudder-bench`: each scenario measures Rudder against a reference tool in the same run.
@main
struct RudderBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rudder-bench",
        abstract: "Benchmarks that compare Rudder with a reference tool in the same run.",
        subcommands: [
            RoutesBenchmark.self, IPVSBenchmark.self, IPVSUpdateBenchmark.self, AgentBenchmark.self,
            ScrapeBenchmark.self, BGPIngestBenchmark.self, BGPAdvertiseBenchmark.self, OverlayBenchmark.self,
            BGPSpeakerChild.self,
        ])

    /// Sets the allocator up as `rudder` does (the in-memory agent benchmark runs the agent in
    /// this process), then runs the command.
    static func main() async {
        FreeMemory.useOneArena(environment: ProcessInfo.processInfo.environment)
        await main(nil)
    }
}
