import CoreMetrics
import Kubernetes
import KubernetesModel
import Logging
import ServiceProxy

extension AgentControllers {
    /// One informer batch: a LIST's changes, or one watch event's; or this node's new zone.
    enum ServiceInput: Sendable {
        case services([InformerEvent<KubernetesModel.Service>])
        case slices([InformerEvent<EndpointSlice>])
        case zone(String?)
    }

    /// Follows Services and EndpointSlices into the service proxy until cancelled.
    func proxyServices(nodes: NodeDirectory, vips: ServiceVIPs) async throws {
        var settings = configuration.serviceProxy.settings
        // This node's zone picks the endpoints of topology-hinted Services, and its addresses
        // are the NodePorts' unless configured.
        let nodeChanges = nodes.changed.changes()
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
        let (inputs, continuation) = AsyncStream<ServiceInput>.makeStream()
        let forwarders = serviceInputs(
            selector: translator.labelSelector, nodes: nodes, nodeChanges: nodeChanges, into: continuation)
        let worker = Task { await controller.run() }
        defer {
            for task in forwarders { task.cancel() }
            worker.cancel()
            continuation.finish()
        }
        try await withTaskCancellationHandler {
            var feed = ServiceFeed(
                catalog: ServiceCatalog(translator: translator), logger: logger,
                skipped: SkippedInputs(factory: metrics.factory))
            for await input in inputs {
                let affected = feed.take(input)
                switch feed.gate.advance() {
                case .waiting:
                    continue
                case .opened:
                    let (wanted, frozen) = feed.firstSync(vips: vips)
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
                case .open:
                    for (name, service) in feed.changes(affected, vips: vips) {
                        await controller.changed(name, to: service)
                    }
                }
            }
        } onCancel: {
            continuation.finish()
        }
    }

    /// Starts the informers and forwards their batches, counted, and this node's zone after each
    /// Node change (the feed ignores a zone that did not change) into `continuation`.
    private func serviceInputs(
        selector: String, nodes: NodeDirectory, nodeChanges: AsyncStream<Void>,
        into continuation: AsyncStream<ServiceInput>.Continuation
    ) -> [Task<Void, Never>] {
        let countedServices = InformerEventMetrics(resource: "services", factory: metrics.factory)
        let countedSlices = InformerEventMetrics(resource: "endpointslices", factory: metrics.factory)
        let services = Informer<KubernetesModel.Service>(
            client: client, labelSelector: selector, transform: InformerTrims.service,
            onProgress: { countedServices.progressed() }, logger: logger)
        let slices = Informer<EndpointSlice>(
            client: client, labelSelector: selector, transform: InformerTrims.endpointSlice,
            onProgress: { countedSlices.progressed() }, logger: logger)
        return [
            Task {
                let counted = countedServices
                for await batch in services.events().batches {
                    counted.record(batch)
                    continuation.yield(.services(batch))
                }
            },
            Task {
                let counted = countedSlices
                for await batch in slices.events().batches {
                    counted.record(batch)
                    continuation.yield(.slices(batch))
                }
            },
            Task { [nodeName] in
                for await _ in nodeChanges {
                    let node = await nodes.node(named: nodeName)
                    continuation.yield(.zone(node?.metadata.labels[KubernetesServiceTranslator.zoneLabel]))
                }
            },
        ]
    }
}

/// The service proxy's view of the cluster: the Services and EndpointSlices joined, the gate that
/// holds everything back until both have listed, and what was reported about each Service, so
/// each problem is logged once while it lasts.
struct ServiceFeed {
    /// Which informer listed.
    enum Source: Hashable, Sendable {
        case services
        case slices
    }

    private(set) var catalog: ServiceCatalog
    var gate = SyncGate<Source>(waitingFor: [.services, .slices])
    private var reported: [ServiceName: [String]] = [:]
    private var skippedAddresses: [ServiceName: Set<String>] = [:]
    private var orphans: Set<ServiceName> = []
    private let logger: Logger
    private let skipped: SkippedInputs

    init(catalog: ServiceCatalog, logger: Logger, skipped: SkippedInputs) {
        self.catalog = catalog
        self.logger = logger
        self.skipped = skipped
    }

    /// Records one input; returns the Services it may have changed.
    mutating func take(_ input: AgentControllers.ServiceInput) -> [ServiceName] {
        var affected: [ServiceName] = []
        switch input {
        case .services(let events):
            for event in events {
                switch event {
                case .added(let service), .updated(_, let service):
                    affected.append(catalog.set(service: service, name: KubernetesServiceTranslator.name(of: service)))
                case .deleted(let service):
                    affected.append(catalog.set(service: nil, name: KubernetesServiceTranslator.name(of: service)))
                case .synced:
                    gate.listed(.services)
                case .rejected(let error):
                    logger.error("service rejected", metadata: ["error": "\(error)"])
                }
            }
        case .slices(let events):
            for event in events {
                switch event {
                case .added(let slice): affected += catalog.set(slice: slice, previous: nil)
                case .updated(let old, let new): affected += catalog.set(slice: new, previous: old)
                case .deleted(let slice): affected += catalog.set(slice: nil, previous: slice)
                case .synced: gate.listed(.slices)
                case .rejected(let error): logger.error("endpointslice rejected", metadata: ["error": "\(error)"])
                }
            }
        case .zone(let zone):
            let all = catalog.set(zone: zone)
            if !all.isEmpty { logger.info("node zone changed", metadata: ["zone": "\(zone ?? "")"]) }
            affected += all
        }
        return affected
    }

    /// Every Service for the one full sync: those to proxy, and those refused (frozen: the kernel
    /// keeps what it has for them).
    mutating func firstSync(vips: ServiceVIPs) -> (wanted: [ProxiedService], frozen: Set<ServiceName>) {
        var wanted: [ProxiedService] = []
        var frozen: Set<ServiceName> = []
        for (name, translation) in catalog.translations {
            switch translation {
            case .proxied(let service, let warnings, let skippedAddresses):
                wanted.append(service)
                vips.record(service, name: name)
                report(name, warnings, severity: .warning)
                noteSkipped(name, skippedAddresses)
            case .rejected(let problems):
                frozen.insert(name)
                report(name, problems, severity: .error)
            case .ignored:
                continue
            }
        }
        for name in catalog.orphans { noteOrphan(name, true) }
        return (wanted, frozen)
    }

    /// What changes for the proxy, one entry per affected Service (nil: it is gone or not
    /// proxied); a refused Service is reported and left out, so the kernel keeps what it had.
    mutating func changes(_ affected: [ServiceName], vips: ServiceVIPs) -> [(ServiceName, ProxiedService?)] {
        var result: [(ServiceName, ProxiedService?)] = []
        var seen: Set<ServiceName> = []
        for name in affected where seen.insert(name).inserted {
            switch catalog.translation(of: name) {
            case .proxied(let service, let warnings, let skippedAddresses):
                report(name, warnings, severity: .warning)
                noteSkipped(name, skippedAddresses)
                vips.record(service, name: name)
                result.append((name, service))
            case .ignored:
                reported[name] = nil
                noteSkipped(name, [])
                vips.record(nil, name: name)
                result.append((name, nil))
                noteOrphan(name, catalog.hasOrphanSlices(name))
            case .rejected(let problems):
                report(name, problems, severity: .error)
            }
        }
        return result
    }

    /// Logs and counts EndpointSlices that name a missing Service, once per Service name while it
    /// lasts: usually a Service deleted before its slices, or a hand-made slice with a typo in its label.
    private mutating func noteOrphan(_ name: ServiceName, _ orphaned: Bool) {
        guard orphaned else {
            orphans.remove(name)
            return
        }
        guard orphans.insert(name).inserted else { return }
        skipped.orphanSlice.increment()
        logger.warning("EndpointSlices name a Service that does not exist; skipped", metadata: ["service": "\(name)"])
    }

    /// Logs and counts the endpoint addresses of a Service that are skipped and were not before.
    private mutating func noteSkipped(_ name: ServiceName, _ addresses: [String]) {
        let before = skippedAddresses[name] ?? []
        let now = Set(addresses)
        skippedAddresses[name] = now.isEmpty ? nil : now
        for address in addresses where !before.contains(address) {
            skipped.endpointAddress.increment()
            logger.warning("endpoint address skipped", metadata: ["service": "\(name)", "problem": "\(address)"])
        }
    }

    /// Logs a Service's problems once, not again for every event while they stay the same.
    private mutating func report(_ name: ServiceName, _ problems: [String], severity: Logger.Level) {
        guard reported[name] != problems else { return }
        reported[name] = problems.isEmpty ? nil : problems
        for problem in problems {
            logger.log(
                level: severity, severity == .error ? "service rejected" : "service annotation ignored",
                metadata: ["service": "\(name)", "problem": "\(problem)"])
        }
    }
}

/// Counts EndpointSlice input the proxy could not use, by reason.
struct SkippedInputs: Sendable {
    let endpointAddress: Counter
    let orphanSlice: Counter

    init(factory: (any MetricsFactory)?) {
        let factory = factory ?? NOOPMetricsHandler.instance
        let label = "rudder_service_inputs_skipped_total"
        endpointAddress = Counter(label: label, dimensions: [("reason", "endpoint_address")], factory: factory)
        orphanSlice = Counter(label: label, dimensions: [("reason", "orphan_slice")], factory: factory)
    }
}
