import Agent
import ArgumentParser
import Foundation

/// `rudder run --config FILE`: the node agent.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the node agent: follow the API server and keep IPVS and the pod routes in line with it.",
        discussion: """
            Flags win over the configuration file. SIGTERM or SIGINT stops the agent gracefully and leaves \
            the dataplane in place, so a restarted agent adopts it without rewriting it.
            """)

    @Option(help: "The configuration file (see docs/examples/rudder.yaml); without it every option has its default.")
    var config: String?
    @Option(help: "A kubeconfig file; overrides kubernetes.kubeconfig.") var kubeconfig: String?
    @Option(name: .customLong("node-name"), help: "This node's name; overrides nodeName and NODE_NAME.")
    var nodeName: String?
    @Option(name: .customLong("http-port"), help: "The port of /healthz, /readyz and /metrics; overrides http.port.")
    var httpPort: Int?
    @Option(help: "Work inside this network namespace (a name from `ip netns list`).") var namespace: String?

    func run() async throws {
        var configuration = RudderConfiguration.default
        if let config {
            do {
                configuration = try RudderConfiguration.load(path: config)
            } catch {
                printError("\(error)")
                throw ExitCode(1)
            }
        }
        if let kubeconfig { configuration.kubernetes.kubeconfig = kubeconfig }
        if let nodeName { configuration.nodeName = nodeName }
        if let httpPort { configuration.http.port = httpPort }
        let logger = bootstrapLogging(level: configuration.logLevel, format: configuration.logging.format)
        do {
            try await RudderAgent(
                configuration: configuration, namespaceName: namespace,
                environment: ProcessInfo.processInfo.environment, hostname: ProcessInfo.processInfo.hostName,
                logger: logger
            ).run()
        } catch let error as RudderAgent.StartError {
            printError("\(error)")
            throw ExitCode(1)
        }
    }
}
