import ContainerMetrics
import CoreMetrics
import Logging
import Prometheus
import Synchronization

/// What `/metrics` serves: the agent's own series (swift-metrics, kept in a swift-prometheus
/// registry) and, computed at each scrape, the node's container memory and JVM series.
///
/// The registry is the agent's own, not swift-metrics' global one, so several agents (tests)
/// can live in one process; controllers make their metrics with `factory`.
public final class AgentMetrics: Sendable {
    /// Where the agent's own series live.
    public let registry = PrometheusCollectorRegistry()
    /// Makes swift-metrics counters, gauges and timers in `registry`.
    public let factory: any MetricsFactory
    /// Names for containers, from the Pod informer.
    public let names = ContainerNames()
    private let containers: Mutex<ContainerSource>
    private let logger: Logger

    /// How the container part finds its scraper: made on the first scrape (the cgroup
    /// hierarchy is read then, so a node without cgroups still serves the agent's series).
    private enum ContainerSource {
        case off
        case pending(RudderConfiguration.Metrics)
        case ready(ContainerScraper)
        case failed(String)
    }

    /// Metrics for an agent with this configuration.
    public init(configuration: RudderConfiguration.Metrics, logger: Logger) {
        // Timers become histograms in seconds, from 1 ms (one Service's update) to 60 s (a full sync).
        factory = DocumentedMetricsFactory(
            registry: registry,
            timerBuckets: [
                .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500),
                .seconds(1), .seconds(5), .seconds(15), .seconds(60),
            ])
        self.logger = logger
        containers = Mutex(configuration.containers ? .pending(configuration) : .off)
    }

    /// The exposition: the agent's series, then the containers'. Blocking (it reads cgroup and
    /// /proc files): call it off the event loop.
    public func render() -> [UInt8] {
        var text = PrometheusText(capacity: 64 * 1024)
        text.append(exposition: registry.emitToBuffer())
        text.family("rudder_build_info", .gauge, help: "1, labelled with this binary's version, commit and build date.")
        text.sample(
            "rudder_build_info",
            [
                "version": RudderVersion.current, "revision": RudderVersion.revision ?? "",
                "built": RudderVersion.buildDate ?? "",
            ], UInt64(1))
        let scrape: ContainerScrape? = containers.withLock { source in
            if case .pending(let configuration) = source { source = Self.start(configuration) }
            switch source {
            case .ready(let scraper): return scraper.scrape()
            case .failed(let reason):
                logger.debug("container metrics off", metadata: ["reason": "\(reason)"])
                return nil
            case .off, .pending: return nil
            }
        }
        guard let scrape else { return text.bytes }
        ContainerExposition.write(scrape, labels: names.labels(for:), into: &text)
        text.family(
            "rudder_container_scrape_problems", .gauge, help: "Things the last scrape skipped (logged at debug).")
        text.sample("rudder_container_scrape_problems", [:], UInt64(scrape.problems.count))
        for problem in scrape.problems { logger.debug("container scrape skipped", metadata: ["problem": "\(problem)"]) }
        return text.bytes
    }

    private static func start(_ configuration: RudderConfiguration.Metrics) -> ContainerSource {
        do {
            let hierarchy = try CgroupHierarchy.detect(root: configuration.hostRoot)
            let mode: ContainerDiscoveryMode =
                configuration.plainParent.map { .plain(parent: $0) }
                ?? .kubernetes(searchPaths: configuration.cgroupSearchPaths)
            return .ready(
                ContainerScraper(
                    hierarchy: hierarchy, mode: mode, procRoot: configuration.procRoot,
                    requiredMargin: Double(configuration.jvmMarginPercent) / 100))
        } catch {
            return .failed("\(error)")
        }
    }
}
