import Addresses
import KubernetesModel
import Logging
import PodNetwork

/// Gives this node's pods their network from the Nodes: translates them into a
/// `PodNetworkState`, applies it, reports readiness and warnings, and keeps the repair loop.
actor PodNetworkController {
    /// The component in `/readyz`.
    static let component = "pod-network"
    /// The `/readyz` warning while this node has no pod CIDR.
    static let waitingTopic = "pod-network"
    /// The `/readyz` warning while another CNI configuration sorts before Rudder's.
    static let earlierTopic = "cni-config"

    private let reconciler: PodNetworkReconciler
    private let nodeName: String
    private let health: HealthState
    private let metrics: PodNetworkMetrics
    private let control: AgentControl
    private let logger: Logger
    private var repairLoop: Task<Void, Never>?
    private var underlay: (mtu: UInt32, subnet: IPPrefix)?
    private var underlayAddress: IPAddress?
    private var lastProblems: [String] = []
    /// The state the last clean pass applied: an unchanged one needs no pass (the repair loop
    /// follows the kernel in between).
    private var applied: PodNetworkState?
    /// Each tunnel's index as the pod routes last got it.
    private var tunnelLinks: [IPAddress: Int32] = [:]
    /// Gives the pod routes new tunnel indexes when a repair made a tunnel again.
    private let reroute: @Sendable ([IPAddress: Int32]) async -> Void

    init(
        reconciler: PodNetworkReconciler, nodeName: String, health: HealthState, metrics: PodNetworkMetrics,
        control: AgentControl, logger: Logger, reroute: @escaping @Sendable ([IPAddress: Int32]) async -> Void
    ) {
        self.reroute = reroute
        self.control = control
        self.reconciler = reconciler
        self.nodeName = nodeName
        self.health = health
        self.metrics = metrics
        self.logger = logger
        health.register(Self.component)
    }

    deinit { repairLoop?.cancel() }

    /// Stops the repair loop; the pod network stays as it is.
    func stop() { repairLoop?.cancel() }

    /// Applies what the Nodes now say; returns each tunnel's interface index by remote node address.
    func update(nodes: some Collection<Node>) async -> [IPAddress: Int32] {
        let settings = reconciler.settings
        if let me = nodes.first(where: { $0.metadata.name == nodeName }),
            let address = NodeRoutes.address(of: me, family: .ipv4) ?? NodeRoutes.address(of: me, family: .ipv6),
            address != underlayAddress || underlay == nil
        {
            underlay = try? await reconciler.underlay(for: address)
            underlayAddress = address
            if underlay == nil, settings.mtu == nil {
                logger.warning(
                    "no link holds the node's address; the pods' MTU falls back to 1500",
                    metadata: ["address": "\(address)"])
            }
        }
        let outcome = NodePodNetwork.outcome(
            nodes: nodes, selfName: nodeName, settings: settings, underlay: underlay)
        if outcome.problems != lastProblems {
            for problem in outcome.problems { logger.warning("pod network", metadata: ["problem": "\(problem)"]) }
            lastProblems = outcome.problems
        }
        guard let state = outcome.state else {
            let reason = outcome.waiting ?? "no pod CIDR"
            health.warn(Self.waitingTopic, "waiting: \(reason); no conflist is written until it has one")
            logger.warning("pod network waiting", metadata: ["reason": "\(reason)"])
            return [:]
        }
        health.clearWarning(Self.waitingTopic)
        // Most Node events (labels, conditions of other nodes) change nothing here.
        guard state != applied else { return tunnelLinks }
        control.set(cniConfiguration: CNIConfiguration(settings: settings, state: state).rendered)
        let report = await reconciler.apply(state)
        metrics.record(report)
        if report.earlierConfigurations.isEmpty {
            health.clearWarning(Self.earlierTopic)
        } else {
            let message =
                "\(report.earlierConfigurations.joined(separator: ", ")) in \(settings.configDirectory) "
                + "sorts before \(settings.configFileName): container runtimes use the first, so pods do not get "
                + "Rudder's network"
            health.warn(Self.earlierTopic, message)
            logger.warning(
                "another CNI configuration comes first", metadata: ["files": "\(report.earlierConfigurations)"])
        }
        if report.failures.isEmpty, report.problems.isEmpty {
            health.markReady(Self.component)
            applied = state
        } else {
            applied = nil
            health.warn(Self.waitingTopic, (report.problems + report.failures).joined(separator: "; "))
        }
        if repairLoop == nil {
            repairLoop = Task { [reconciler, metrics, logger] in
                do {
                    try await reconciler.run { report in
                        metrics.recordRepair(report)
                        // A tunnel made again has a new index: its routes must name it.
                        Task { await self.repaired(report) }
                    }
                } catch is CancellationError {
                } catch {
                    logger.error("pod network repair loop stopped", metadata: ["error": "\(error)"])
                }
            }
        }
        tunnelLinks = report.tunnelLinks
        return report.tunnelLinks
    }

    /// After a repair: when a tunnel's index changed, the pod routes follow.
    private func repaired(_ report: PodNetworkReconciler.Report) async {
        guard report.tunnelLinks != tunnelLinks else { return }
        tunnelLinks = report.tunnelLinks
        logger.info(
            "overlay tunnels made again; their pod routes follow", metadata: ["tunnels": "\(tunnelLinks.count)"])
        await reroute(report.tunnelLinks)
    }
}
