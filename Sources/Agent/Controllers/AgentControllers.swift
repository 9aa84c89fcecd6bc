import Addresses
import CoreMetrics
import Kubernetes
import KubernetesModel
import Logging
import Netlink
import PodNetwork
import PodRouting
import ServiceLifecycle
import ServiceProxy

/// The informers and the controllers they feed, run as one lifecycle service.
///
/// - Nodes feed the pod routes, and give the service proxy this node's addresses.
/// - Services and EndpointSlices feed the service proxy; a change re-plans only its Service.
///
/// Losing the API server stops nothing: the informers retry with backoff, the dataplane keeps
/// its last state, and liveness stays healthy.
public struct AgentControllers: ServiceLifecycle.Service, Sendable {
    /// The pod-routes component in `/readyz`.
    public static let routesComponent = "pod-routes"

    let configuration: RudderConfiguration
    let nodeName: String
    let client: KubernetesHTTPClient
    let kernels: RudderAgent.Kernels
    let health: HealthState
    let metrics: AgentMetrics
    let control: AgentControl
    let namespace: NetworkNamespace
    let logger: Logger

    /// Runs until graceful shutdown or cancellation.
    public func run() async throws {
        let nodes = NodeDirectory()
        let vips = ServiceVIPs(settings: configuration.bgp)
        let proxyEnabled = configuration.serviceProxy.enabled
        let routesEnabled = configuration.podRouting.enabled
        if proxyEnabled { health.register(ServiceProxyController.component) }
        if routesEnabled { health.register(Self.routesComponent) }
        if configuration.bgp.enabled { health.register(Self.bgpComponent) }
        try await cancelWhenGracefulShutdown {
            try await withThrowingTaskGroup(of: Void.self) { group in
                let routes = podRouteSources()
                let podNetwork = try podNetworkController { [nodeName] tunnels in
                    guard let routes else { return }
                    let (wanted, _) = NodeRoutes.routes(
                        nodes: await nodes.nodes.values, selfName: nodeName, tunnels: tunnels)
                    try? await routes.setNodeRoutes(wanted)
                }
                group.addTask {
                    defer {
                        Task {
                            await routes?.stop()
                            await podNetwork?.stop()
                        }
                    }
                    try await followNodes(into: nodes, routes: routes, podNetwork: podNetwork)
                }
                if configuration.bgp.enabled {
                    group.addTask { try await runBGP(nodes: nodes, routes: routes, vips: vips) }
                }
                if configuration.metrics.containers {
                    group.addTask { try await followPods() }
                }
                if proxyEnabled {
                    group.addTask { try await proxyServices(nodes: nodes, vips: vips) }
                }
                try await group.waitForAll()
            }
        }
        logger.info("stopped; the dataplane is left as it is")
    }

    // MARK: Pods, for container names in /metrics

    /// Keeps `metrics.names` current from the Pods on this node (a field selector, as kubelet's own
    /// watch uses), trimmed to the names and container IDs the labels need.
    private func followPods() async throws {
        let events = InformerEventMetrics(resource: "pods", factory: metrics.factory)
        let informer = Informer<Pod>(
            client: client, fieldSelector: "spec.nodeName=\(nodeName)", transform: InformerTrims.pod,
            onProgress: { events.progressed() }, logger: logger)
        for await batch in informer.events().batches {
            events.record(batch)
            for event in batch {
                switch event {
                case .added(let pod), .updated(_, let pod):
                    metrics.names.set(pod, uid: pod.metadata.uid ?? "")
                case .deleted(let pod):
                    metrics.names.set(nil, uid: pod.metadata.uid ?? "")
                case .synced:
                    continue
                case .rejected(let error):
                    logger.error("pod rejected", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    // MARK: Nodes and pod routes

    private func followNodes(
        into nodes: NodeDirectory, routes: PodRouteSources?, podNetwork: PodNetworkController?
    ) async throws {
        let counted = InformerEventMetrics(resource: "nodes", factory: metrics.factory)
        let informer = Informer<Node>(
            client: client, transform: InformerTrims.node, onProgress: { counted.progressed() }, logger: logger)
        var lastRoutes: [PodRoute]?
        for await event in informer.events() {
            counted.record([event])
            switch event {
            case .updated(let old, let new)
            where old.spec == new.spec && old.status.addresses == new.status.addresses
                && old.metadata.annotations == new.metadata.annotations:
                // Status updates (kubelet's heartbeats on older clusters) change nothing routes or
                // BGP read: no need to recompute every node's routes for them.
                await nodes.set(new, name: new.metadata.name)
                continue
            case .added(let node), .updated(_, let node):
                await nodes.set(node, name: node.metadata.name)
            case .deleted(let node):
                await nodes.set(nil, name: node.metadata.name)
            case .synced:
                await nodes.markSynced()
            case .rejected(let error):
                logger.error("node rejected", metadata: ["error": "\(error)"])
                continue
            }
            guard await nodes.synced else { continue }
            let all = await nodes.nodes.values
            // The pod network first: the overlay's tunnels must exist before routes name them.
            let tunnels = await podNetwork?.update(nodes: all) ?? [:]
            guard let routes else { continue }
            let (wanted, problems) = NodeRoutes.routes(nodes: all, selfName: nodeName, tunnels: tunnels)
            guard wanted != lastRoutes else { continue }
            for problem in problems { logger.warning("pod route skipped", metadata: ["problem": "\(problem)"]) }
            lastRoutes = wanted
            try await routes.setNodeRoutes(wanted)
        }
    }

    /// The pod network's controller, when the pod network is on.
    private func podNetworkController(
        reroute: @escaping @Sendable ([IPAddress: Int32]) async -> Void
    ) throws -> PodNetworkController? {
        guard configuration.podNetwork.enabled else { return nil }
        let settings = configuration.podNetwork.settings
        let (kernel, egress) = try kernels.podNetwork(settings)
        let reconciler = PodNetworkReconciler(kernel: kernel, egress: egress, settings: settings, logger: logger)
        return PodNetworkController(
            reconciler: reconciler, nodeName: nodeName, health: health,
            metrics: PodNetworkMetrics(factory: metrics.factory), control: control, logger: logger, reroute: reroute)
    }

    /// The pod routes' sources and reconciler, when pod routing is on.
    private func podRouteSources() -> PodRouteSources? {
        guard configuration.podRouting.enabled else { return nil }
        let interval = configuration.podRouting.resyncInterval
        let routeMetrics = PodRouteMetrics(factory: metrics.factory)
        return PodRouteSources(
            makeReconciler: { [kernels, configuration, logger] in
                RouteReconciler(
                    kernel: try kernels.routes(), settings: configuration.podRoutingSettings, logger: logger,
                    observer: { routeMetrics.record($0, pass: $1) })
            },
            start: { [health, logger] reconciler in
                Task {
                    do {
                        try await reconciler.run(resyncInterval: interval) { _ in
                            health.markReady(Self.routesComponent)
                        }
                    } catch is CancellationError {
                    } catch {
                        logger.error("pod routes stopped", metadata: ["error": "\(error)"])
                        health.markFailed(Self.routesComponent, reason: "\(error)")
                    }
                }
            }, logger: logger)
    }

    /// A Node's InternalIPs, one per family, for NodePorts.
    static func nodeAddresses(of node: Node?) -> [IPAddress] {
        guard let node else { return [] }
        return [AddressFamily.ipv4, .ipv6].compactMap { NodeRoutes.address(of: node, family: $0) }
    }
}
