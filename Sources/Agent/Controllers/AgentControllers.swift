import Addresses
import CoreMetrics
import Kubernetes
import Logging
import Netlink
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
                group.addTask {
                    defer { Task { await routes?.stop() } }
                    try await followNodes(into: nodes, routes: routes)
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
        let informer = Informer<Pod>(
            client: client, fieldSelector: "spec.nodeName=\(nodeName)", transform: InformerTrims.pod, logger: logger)
        let events = InformerEventMetrics(resource: "pods", factory: metrics.factory)
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

    private func followNodes(into nodes: NodeDirectory, routes: PodRouteSources?) async throws {
        let informer = Informer<Node>(client: client, transform: InformerTrims.node, logger: logger)
        let counted = InformerEventMetrics(resource: "nodes", factory: metrics.factory)
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
            guard let routes, await nodes.synced else { continue }
            let (wanted, problems) = NodeRoutes.routes(nodes: await nodes.nodes.values, selfName: nodeName)
            guard wanted != lastRoutes else { continue }
            for problem in problems { logger.warning("pod route skipped", metadata: ["problem": "\(problem)"]) }
            lastRoutes = wanted
            try await routes.setNodeRoutes(wanted)
        }
    }

    /// The pod routes' sources and reconciler, when pod routing is on.
    private func podRouteSources() -> PodRouteSources? {
        guard configuration.podRouting.enabled else { return nil }
        let interval = configuration.podRouting.resyncInterval
        return PodRouteSources(
            makeReconciler: { [kernels, configuration, logger] in
                RouteReconciler(
                    kernel: try kernels.routes(), settings: configuration.podRoutingSettings, logger: logger)
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

    // MARK: Services

    /// One informer batch: a LIST's changes, or one watch event's; or this node's new zone.
    private enum ServiceInput: Sendable {
        case services([InformerEvent<Kubernetes.Service>])
        case slices([InformerEvent<EndpointSlice>])
        case zone(String?)
    }

    private func proxyServices(nodes: NodeDirectory, vips: ServiceVIPs) async throws {
        var settings = configuration.serviceProxy.settings
        // This node's zone picks the endpoints of topology-hinted Services, and its addresses
        // are the NodePorts' unless configured.
        let zoneUpdates = await nodes.updates(of: nodeName)
        await nodes.waitForSync()
        let selfNode = await nodes.node(named: nodeName)
        if settings.nodeAddresses.isEmpty {
            settings.nodeAddresses = Self.nodeAddresses(of: selfNode)
            if settings.nodeAddresses.isEmpty {
                logger.warning(
                    "no addresses for NodePorts: node not found or without InternalIP; set serviceProxy.addresses",
                    metadata: ["node": "\(nodeName)"])
            }
        }
        let reconciler = ServiceProxyReconciler(
            kernel: try kernels.services(settings), settings: settings,
            record: OwnershipRecord(path: configuration.serviceProxy.ownershipRecord),
            gracePeriod: configuration.serviceProxy.gracePeriod, logger: logger)
        let controller = ServiceProxyController(
            reconciler: reconciler, health: health, resyncInterval: configuration.serviceProxy.resyncInterval,
            metrics: metrics.factory, logger: logger)
        let translator = KubernetesServiceTranslator(
            nodeName: nodeName, serviceProxyName: configuration.kubernetes.serviceProxyName,
            zone: selfNode?.metadata.labels[KubernetesServiceTranslator.zoneLabel])
        let services = Informer<Kubernetes.Service>(
            client: client, labelSelector: translator.labelSelector, transform: InformerTrims.service, logger: logger)
        let slices = Informer<EndpointSlice>(
            client: client, labelSelector: translator.labelSelector, transform: InformerTrims.endpointSlice,
            logger: logger)

        let (inputs, continuation) = AsyncStream<ServiceInput>.makeStream()
        let forwarders = [
            Task {
                let counted = InformerEventMetrics(resource: "services", factory: metrics.factory)
                for await batch in services.events().batches {
                    counted.record(batch)
                    continuation.yield(.services(batch))
                }
            },
            Task {
                let counted = InformerEventMetrics(resource: "endpointslices", factory: metrics.factory)
                for await batch in slices.events().batches {
                    counted.record(batch)
                    continuation.yield(.slices(batch))
                }
            },
            Task {
                for await node in zoneUpdates {
                    continuation.yield(.zone(node?.metadata.labels[KubernetesServiceTranslator.zoneLabel]))
                }
            },
        ]
        let worker = Task { await controller.run() }
        defer {
            for task in forwarders { task.cancel() }
            worker.cancel()
            continuation.finish()
        }
        try await withTaskCancellationHandler {
            var catalog = ServiceCatalog(translator: translator)
            var servicesSynced = false
            var slicesSynced = false
            var initialSyncDone = false
            var reported: [ServiceName: [String]] = [:]
            var orphans: Set<ServiceName> = []
            let skipped = SkippedInputs(factory: metrics.factory)
            for await input in inputs {
                var affected: [ServiceName] = []
                switch input {
                case .services(let events):
                    for event in events {
                        switch event {
                        case .added(let service), .updated(_, let service):
                            affected.append(
                                catalog.set(service: service, name: KubernetesServiceTranslator.name(of: service)))
                        case .deleted(let service):
                            affected.append(
                                catalog.set(service: nil, name: KubernetesServiceTranslator.name(of: service)))
                        case .synced:
                            servicesSynced = true
                        case .rejected(let error):
                            logger.error("service rejected", metadata: ["error": "\(error)"])
                        }
                    }
                case .slices(let events):
                    for event in events {
                        switch event {
                        case .added(let slice):
                            affected += catalog.set(slice: slice, previous: nil)
                        case .updated(let old, let new):
                            affected += catalog.set(slice: new, previous: old)
                        case .deleted(let slice):
                            affected += catalog.set(slice: nil, previous: slice)
                        case .synced:
                            slicesSynced = true
                        case .rejected(let error):
                            logger.error("endpointslice rejected", metadata: ["error": "\(error)"])
                        }
                    }
                case .zone(let zone):
                    let all = catalog.set(zone: zone)
                    if !all.isEmpty { logger.info("node zone changed", metadata: ["zone": "\(zone ?? "")"]) }
                    affected += all
                }
                guard servicesSynced && slicesSynced else { continue }
                if !initialSyncDone {
                    initialSyncDone = true
                    var wanted: [ProxiedService] = []
                    var frozen: Set<ServiceName> = []
                    for (name, translation) in catalog.translations {
                        switch translation {
                        case .proxied(let service, let warnings):
                            wanted.append(service)
                            vips.record(service, name: name)
                            report(name, warnings, severity: .warning, into: &reported, skipped: skipped)
                        case .rejected(let problems):
                            frozen.insert(name)
                            report(name, problems, severity: .error, into: &reported)
                        case .ignored:
                            continue
                        }
                    }
                    for name in catalog.orphans { noteOrphan(name, true, in: &orphans, skipped: skipped) }
                    // A kernel that refuses the first sync (IPVS missing, say) is retried, not fatal:
                    // the agent stays live and unready, and says why.
                    while !Task.isCancelled {
                        do {
                            try await controller.initialSync(wanted, frozen: frozen)
                            break
                        } catch {
                            logger.error("first service sync failed; retrying in 5s", metadata: ["error": "\(error)"])
                            try await Task.sleep(for: .seconds(5))
                        }
                    }
                    continue
                }
                var seen: Set<ServiceName> = []
                for name in affected where seen.insert(name).inserted {
                    switch catalog.translation(of: name) {
                    case .proxied(let service, let warnings):
                        report(name, warnings, severity: .warning, into: &reported, skipped: skipped)
                        vips.record(service, name: name)
                        await controller.changed(name, to: service)
                    case .ignored:
                        reported[name] = nil
                        vips.record(nil, name: name)
                        await controller.changed(name, to: nil)
                        noteOrphan(name, catalog.hasOrphanSlices(name), in: &orphans, skipped: skipped)
                    case .rejected(let problems):
                        // The kernel keeps what the Service had; only a valid version changes it.
                        report(name, problems, severity: .error, into: &reported)
                    }
                }
            }
        } onCancel: {
            continuation.finish()
        }
    }

    /// Logs and counts EndpointSlices that name a missing Service, once per Service name while it
    /// lasts: usually a Service deleted before its slices, or a hand-made slice with a typo in its label.
    private func noteOrphan(
        _ name: ServiceName, _ orphaned: Bool, in orphans: inout Set<ServiceName>, skipped: SkippedInputs
    ) {
        guard orphaned else {
            orphans.remove(name)
            return
        }
        guard orphans.insert(name).inserted else { return }
        skipped.orphanSlice.increment()
        logger.warning("EndpointSlices name a Service that does not exist; skipped", metadata: ["service": "\(name)"])
    }

    /// Logs a Service's problems once, not again for every event while they stay the same, and
    /// counts the skipped endpoint addresses among them that are new.
    private func report(
        _ name: ServiceName, _ problems: [String], severity: Logger.Level, into reported: inout [ServiceName: [String]],
        skipped: SkippedInputs? = nil
    ) {
        guard reported[name] != problems else { return }
        let new = problems.filter {
            $0.hasPrefix(KubernetesServiceTranslator.skippedEndpointWarning) && !(reported[name] ?? []).contains($0)
        }
        skipped?.endpointAddress.increment(by: new.count)
        reported[name] = problems.isEmpty ? nil : problems
        for problem in problems {
            logger.log(
                level: severity, severity == .error ? "service rejected" : "service annotation ignored",
                metadata: ["service": "\(name)", "problem": "\(problem)"])
        }
    }

    /// A Node's InternalIPs, one per family, for NodePorts.
    static func nodeAddresses(of node: Node?) -> [IPAddress] {
        guard let node else { return [] }
        return [AddressFamily.ipv4, .ipv6].compactMap { NodeRoutes.address(of: node, family: $0) }
    }
}

/// Counts EndpointSlice input the proxy could not use, by reason.
private struct SkippedInputs: Sendable {
    let endpointAddress: Counter
    let orphanSlice: Counter

    init(factory: (any MetricsFactory)?) {
        let factory = factory ?? NOOPMetricsHandler.instance
        let label = "rudder_service_inputs_skipped_total"
        endpointAddress = Counter(label: label, dimensions: [("reason", "endpoint_address")], factory: factory)
        orphanSlice = Counter(label: label, dimensions: [("reason", "orphan_slice")], factory: factory)
    }
}
