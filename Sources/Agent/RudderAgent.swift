import Kubernetes
import KubernetesModel
import Logging
import Netlink
import PodNetwork
import PodRouting
import ServiceLifecycle
import ServiceProxy

/// The node agent: follows the API server and keeps IPVS and the pod routes in line with it.
///
/// Start-up is ordered by swift-service-lifecycle: the HTTP endpoints first, so that liveness
/// answers at once, then the controllers. SIGTERM and SIGINT stop the informers and leave the
/// dataplane as it is; a restarted agent adopts it without rewriting it.
public struct RudderAgent: Sendable {
    /// A reason the agent cannot start, in one line for the user.
    public struct StartError: Error, CustomStringConvertible, Sendable {
        /// The message.
        public var description: String
    }

    /// Builds the kernel adapters; tests pass in-memory ones.
    public struct Kernels: Sendable {
        /// The service proxy's kernel, for the settings the agent resolved.
        public var services: @Sendable (ProxySettings) throws -> any ServiceKernel
        /// The pod routes' kernel.
        public var routes: @Sendable () throws -> any RouteKernel
        /// The pod network's kernel (the bridge and the tunnels) and its egress rules.
        public var podNetwork: @Sendable (PodNetworkSettings) throws -> (any PodNetworkKernel, EgressController?)

        /// Adapters over the given closures; the pod network's default is the current namespace's.
        public init(
            services: @escaping @Sendable (ProxySettings) throws -> any ServiceKernel,
            routes: @escaping @Sendable () throws -> any RouteKernel,
            podNetwork: @escaping @Sendable (PodNetworkSettings) throws -> (any PodNetworkKernel, EgressController?) = {
                try Kernels.podNetwork(namespace: .current, settings: $0)
            }
        ) {
            self.services = services
            self.routes = routes
            self.podNetwork = podNetwork
        }

        /// The pod network's real kernel in `namespace` and its egress controller, which also
        /// removes the masquerade of an earlier run when it is now off.
        public static func podNetwork(
            namespace: NetworkNamespace, settings: PodNetworkSettings
        ) throws -> (
            any PodNetworkKernel, EgressController?
        ) {
            let egress = try EgressController(namespace: namespace, iptablesVariant: settings.iptablesVariant)
            return (try NetlinkPodNetworkKernel(namespace: namespace), egress)
        }

        /// The real kernel, through netlink in `namespace`.
        public static func netlink(namespace: NetworkNamespace) -> Kernels {
            Kernels(
                services: { settings in
                    try NetlinkServiceKernel(
                        namespace: namespace, dummyInterface: settings.dummyInterface,
                        nodeAddresses: settings.nodeAddresses, iptablesVariant: settings.iptablesVariant)
                },
                routes: { try NetlinkRouteKernel(namespace: namespace) },
                podNetwork: { try podNetwork(namespace: namespace, settings: $0) })
        }
    }

    /// The configuration, with flags already applied.
    public let configuration: RudderConfiguration
    /// This node's name, resolved from the configuration, NODE_NAME or the host name.
    public let nodeName: String
    /// What `/healthz` and `/readyz` report.
    public let health = HealthState()
    /// What `/metrics` reports.
    public let metrics: AgentMetrics
    /// What the local control socket reaches.
    public let control = AgentControl()
    private let namespace: NetworkNamespace
    private let environment: [String: String]
    private let kernels: Kernels
    private let logger: Logger

    /// An agent; nothing starts until `run`.
    public init(
        configuration: RudderConfiguration, namespace: NetworkNamespace = .current, environment: [String: String],
        hostname: String, logger: Logger, kernels: Kernels? = nil
    ) {
        self.configuration = configuration
        self.environment = environment
        self.nodeName = configuration.resolvedNodeName(environment: environment, hostname: hostname)
        self.kernels = kernels ?? .netlink(namespace: namespace)
        self.namespace = namespace
        self.logger = logger
        self.metrics = AgentMetrics(configuration: configuration.metrics, logger: logger)
    }

    /// An agent working in the network namespace named `namespaceName` (from `ip netns list`; nil:
    /// this process's own), on the real kernel.
    public init(
        configuration: RudderConfiguration, namespaceName: String?, environment: [String: String], hostname: String,
        logger: Logger
    ) {
        self.init(
            configuration: configuration, namespace: NetworkNamespace(name: namespaceName),
            environment: environment, hostname: hostname, logger: logger)
    }

    /// Runs until SIGTERM or SIGINT (or cancellation).
    public func run() async throws {
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: try httpServer()),
                    .init(service: ControlServer(path: configuration.controlSocket, control: control, logger: logger)),
                    .init(service: try controllers()),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// The HTTP endpoints over this agent's health and metrics.
    public func httpServer() throws -> AgentHTTPServer {
        AgentHTTPServer(
            host: configuration.http.host, port: configuration.http.port, logger: logger,
            route: AgentHTTPServer.agentRoutes(health, metrics: metrics))
    }

    /// Why the API server may never answer, when the only address the agent has for it is the
    /// `kubernetes` Service's ClusterIP (the in-cluster KUBERNETES_SERVICE_HOST) and the agent is the
    /// node's service proxy: on a node without kube-proxy, nothing routes that address until this
    /// agent has programmed it from the API server it cannot reach.
    package static func selfProxiedAPIServer(
        _ configuration: RudderConfiguration, environment: [String: String]
    ) -> String? {
        let kubernetes = configuration.kubernetes
        guard kubernetes.apiServer == nil, kubernetes.kubeconfig == nil, configuration.serviceProxy.enabled,
            let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty
        else { return nil }
        let port = environment["KUBERNETES_SERVICE_PORT"] ?? "443"
        return "the only API server address is \(host):\(port) (KUBERNETES_SERVICE_HOST), the ClusterIP of the "
            + "kubernetes Service, which this agent proxies itself: on a node without kube-proxy nothing answers "
            + "there until Rudder has programmed it; set kubernetes.apiServer to the API server's own address "
            + "(docs/install.md)"
    }

    /// The controllers, as one lifecycle service; fails at once on a bad API server configuration.
    public func controllers() throws -> AgentControllers {
        let kubernetes = configuration.kubernetes
        let client: KubernetesHTTPClient
        do {
            var clientConfiguration = try ClientConfiguration.discover(
                kubeconfig: kubernetes.kubeconfig, context: kubernetes.context,
                allowInsecure: kubernetes.allowInsecure, environment: environment)
            if let apiServer = kubernetes.apiServer { clientConfiguration.server = apiServer }
            clientConfiguration.userAgent = "rudder/\(RudderVersion.current) (\(nodeName))"
            if let warning = Self.selfProxiedAPIServer(configuration, environment: environment) {
                logger.warning("\(warning)")
                health.warn("api-server", warning)
            }
            client = try KubernetesHTTPClient(configuration: clientConfiguration, logger: logger)
        } catch {
            throw StartError(description: "cannot reach the API server: \(error)")
        }
        logger.info("starting", metadata: ["node": "\(nodeName)", "version": "\(RudderVersion.current)"])
        return AgentControllers(
            configuration: configuration, nodeName: nodeName, client: client, kernels: kernels, health: health,
            metrics: metrics, control: control, namespace: namespace, logger: logger)
    }
}
