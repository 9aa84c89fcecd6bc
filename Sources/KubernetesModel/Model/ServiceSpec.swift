/// `spec` of a Service: the fields a service proxy needs.
public struct ServiceSpec: Codable, Sendable, Hashable {
    /// How the Service is exposed (ClusterIP when absent).
    public var type: ServiceType
    /// The primary cluster IP, `None` for a headless Service.
    public var clusterIP: String?
    /// All cluster IPs (one per family).
    public var clusterIPs: [String]
    /// The families of `clusterIPs`.
    public var ipFamilies: [IPFamily]
    /// Single- or dual-stack.
    public var ipFamilyPolicy: IPFamilyPolicy?
    /// The ports.
    public var ports: [ServicePort]
    /// The pod selector; empty when endpoints are managed by hand.
    public var selector: [String: String]
    /// Extra addresses that route to the Service on every node.
    public var externalIPs: [String]
    /// The requested load-balancer IP (deprecated in the API, still used).
    public var loadBalancerIP: String?
    /// Client CIDRs allowed through the load balancer.
    public var loadBalancerSourceRanges: [String]
    /// Client stickiness (None when absent).
    public var sessionAffinity: SessionAffinity
    /// Stickiness settings.
    public var sessionAffinityConfig: SessionAffinityConfig?
    /// Which endpoints serve external traffic.
    public var externalTrafficPolicy: TrafficPolicy?
    /// Which endpoints serve traffic from inside the cluster.
    public var internalTrafficPolicy: TrafficPolicy?
    /// The node port that reports local endpoints' health, for `externalTrafficPolicy: Local`.
    public var healthCheckNodePort: Int?
    /// Whether not-ready endpoints receive traffic.
    public var publishNotReadyAddresses: Bool
    /// The DNS name of an ExternalName Service.
    public var externalName: String?

    /// A Service spec.
    public init(
        type: ServiceType = .clusterIP, clusterIP: String? = nil, clusterIPs: [String] = [],
        ipFamilies: [IPFamily] = [], ipFamilyPolicy: IPFamilyPolicy? = nil, ports: [ServicePort] = [],
        selector: [String: String] = [:], externalIPs: [String] = [], loadBalancerIP: String? = nil,
        loadBalancerSourceRanges: [String] = [], sessionAffinity: SessionAffinity = .none,
        sessionAffinityConfig: SessionAffinityConfig? = nil, externalTrafficPolicy: TrafficPolicy? = nil,
        internalTrafficPolicy: TrafficPolicy? = nil, healthCheckNodePort: Int? = nil,
        publishNotReadyAddresses: Bool = false, externalName: String? = nil
    ) {
        self.type = type
        self.clusterIP = clusterIP
        self.clusterIPs = clusterIPs
        self.ipFamilies = ipFamilies
        self.ipFamilyPolicy = ipFamilyPolicy
        self.ports = ports
        self.selector = selector
        self.externalIPs = externalIPs
        self.loadBalancerIP = loadBalancerIP
        self.loadBalancerSourceRanges = loadBalancerSourceRanges
        self.sessionAffinity = sessionAffinity
        self.sessionAffinityConfig = sessionAffinityConfig
        self.externalTrafficPolicy = externalTrafficPolicy
        self.internalTrafficPolicy = internalTrafficPolicy
        self.healthCheckNodePort = healthCheckNodePort
        self.publishNotReadyAddresses = publishNotReadyAddresses
        self.externalName = externalName
    }

    private enum CodingKeys: String, CodingKey {
        case type, clusterIP, clusterIPs, ipFamilies, ipFamilyPolicy, ports, selector, externalIPs, loadBalancerIP
        case loadBalancerSourceRanges, sessionAffinity, sessionAffinityConfig, externalTrafficPolicy
        case internalTrafficPolicy, healthCheckNodePort, publishNotReadyAddresses, externalName
    }

    /// Decodes a spec; absent lists and maps are empty, absent enums take the API server's defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decodeIfPresent(ServiceType.self, forKey: .type) ?? .clusterIP
        clusterIP = try container.decodeIfPresent(String.self, forKey: .clusterIP)
        clusterIPs = try container.decodeIfPresent([String].self, forKey: .clusterIPs) ?? []
        ipFamilies = try container.decodeIfPresent([IPFamily].self, forKey: .ipFamilies) ?? []
        ipFamilyPolicy = try container.decodeIfPresent(IPFamilyPolicy.self, forKey: .ipFamilyPolicy)
        ports = try container.decodeIfPresent([ServicePort].self, forKey: .ports) ?? []
        selector = try container.decodeIfPresent([String: String].self, forKey: .selector) ?? [:]
        externalIPs = try container.decodeIfPresent([String].self, forKey: .externalIPs) ?? []
        loadBalancerIP = try container.decodeIfPresent(String.self, forKey: .loadBalancerIP)
        loadBalancerSourceRanges =
            try container.decodeIfPresent([String].self, forKey: .loadBalancerSourceRanges) ?? []
        sessionAffinity = try container.decodeIfPresent(SessionAffinity.self, forKey: .sessionAffinity) ?? .none
        sessionAffinityConfig = try container.decodeIfPresent(
            SessionAffinityConfig.self, forKey: .sessionAffinityConfig)
        externalTrafficPolicy = try container.decodeIfPresent(TrafficPolicy.self, forKey: .externalTrafficPolicy)
        internalTrafficPolicy = try container.decodeIfPresent(TrafficPolicy.self, forKey: .internalTrafficPolicy)
        healthCheckNodePort = try container.decodeIfPresent(Int.self, forKey: .healthCheckNodePort)
        publishNotReadyAddresses =
            try container.decodeIfPresent(Bool.self, forKey: .publishNotReadyAddresses) ?? false
        externalName = try container.decodeIfPresent(String.self, forKey: .externalName)
    }
}
