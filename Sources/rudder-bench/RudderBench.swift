import ArgumentParser

/// `rudder-bench`: each scenario measures Rudder against a reference tool in the same run.
@main
struct RudderBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rudder-bench",
        abstract: "Benchmarks that compare Rudder with a reference tool in the same run.",
        subcommands: [RoutesBenchmark.self, IPVSBenchmark.self, IPVSUpdateBenchmark.self, AgentBenchmark.self])
}
