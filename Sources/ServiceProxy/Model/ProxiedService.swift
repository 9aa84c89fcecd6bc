import Addresses

/// A Service as the proxy sees it: addresses, ports, policies and endpoints, with no Kubernetes types.
public struct ProxiedService: Hashable, Sendable {
    /// Session affinity.
    public enum Affinity: Hashable, Sendable {
        /// Every connection is scheduled on its own.
        case none
        /// Connections from one client address go to one endpoint for `timeoutSeconds` after the last.
        case clientIP(timeoutSeconds: Int)

        /// Kubernetes' default ClientIP timeout (3 hours).
        public static let defaultTimeoutSeconds = 10_800
    }

    /// Whether traffic may go to endpoints on any node or only to this node's.
    public enum TrafficPolicy: String, Hashable, Sendable {
        case cluster = "Cluster"
        case local = "Local"
    }

    /// The Service's identity.
    public var name: ServiceName
    /// ClusterIPs (one per family).
    public var clusterIPs: [IPAddress]
    /// externalIPs.
    public var externalIPs: [IPAddress]
    /// Load-balancer ingress IPs.
    public var loadBalancerIPs: [IPAddress]
    /// The sources allowed to reach the load-balancer IPs; empty allows every source. A
    /// load-balancer IP of a family with no range here accepts no source at all.
    public var loadBalancerSourceRanges: [IPPrefix]
    /// The Service's address families (`spec.ipFamilies`); empty means the families of its
    /// ClusterIPs, or every family when it has none. NodePorts exist only for these.
    public var ipFamilies: [AddressFamily]
    /// The ports.
    public var ports: [ServicePort]
    /// Session affinity.
    public var affinity: Affinity
    /// The IPVS scheduler and its flags.
    public var scheduling: SchedulingPolicy
    /// externalTrafficPolicy: applies to NodePorts, externalIPs and load-balancer IPs.
    public var externalTrafficPolicy: TrafficPolicy
    /// internalTrafficPolicy: applies to ClusterIPs.
    public var internalTrafficPolicy: TrafficPolicy
    /// The endpoints, from every EndpointSlice of the Service.
    public var endpoints: [ServiceEndpoint]

    /// A service; everything but the name is optional.
    public init(
        name: ServiceName, clusterIPs: [IPAddress] = [], externalIPs: [IPAddress] = [],
        loadBalancerIPs: [IPAddress] = [], loadBalancerSourceRanges: [IPPrefix] = [], ipFamilies: [AddressFamily] = [],
        ports: [ServicePort] = [], affinity: Affinity = .none, scheduling: SchedulingPolicy = SchedulingPolicy(),
        externalTrafficPolicy: TrafficPolicy = .cluster, internalTrafficPolicy: TrafficPolicy = .cluster,
        endpoints: [ServiceEndpoint] = []
    ) {
        self.name = name
        self.clusterIPs = clusterIPs
        self.externalIPs = externalIPs
        self.loadBalancerIPs = loadBalancerIPs
        self.loadBalancerSourceRanges = loadBalancerSourceRanges
        self.ipFamilies = ipFamilies
        self.ports = ports
        self.affinity = affinity
        self.scheduling = scheduling
        self.externalTrafficPolicy = externalTrafficPolicy
        self.internalTrafficPolicy = internalTrafficPolicy
        self.endpoints = endpoints
    }

    /// The families NodePorts listen in: `ipFamilies`, else the ClusterIPs' families, else all.
    public var nodePortFamilies: Set<AddressFamily> {
        if !ipFamilies.isEmpty { return Set(ipFamilies) }
        if !clusterIPs.isEmpty { return Set(clusterIPs.map(\.family)) }
        return Set(AddressFamily.allCases)
    }

    /// What is wrong with the service, one line per problem; empty when it can be proxied.
    public var problems: [String] {
        var problems: [String] = []
        var seen = Set<String>()
        for port in ports {
            if !(1...65_535).contains(port.port) {
                problems.append("port \(port.port) is out of range 1...65535")
            }
            if let nodePort = port.nodePort, !(1...65_535).contains(nodePort) {
                problems.append("nodePort \(nodePort) is out of range 1...65535")
            }
            if port.targetPortName == nil, !(1...65_535).contains(port.targetPort) {
                problems.append("targetPort \(port.targetPort) is out of range 1...65535")
            }
            if !seen.insert("\(port.transport)/\(port.port)").inserted {
                problems.append("port \(port.transport)/\(port.port) is listed twice")
            }
            if !port.name.isEmpty, ports.filter({ $0.name == port.name }).count > 1, !seen.contains("name:\(port.name)")
            {
                seen.insert("name:\(port.name)")
                problems.append("port name '\(port.name)' is used twice")
            }
        }
        if case .clientIP(let timeout) = affinity, !(1...86_400).contains(timeout) {
            problems.append("session affinity timeout \(timeout) is out of range 1...86400 seconds")
        }
        for endpoint in endpoints {
            for (name, port) in endpoint.ports where !(1...65_535).contains(port) {
                problems.append("endpoint \(endpoint.address) port '\(name)' \(port) is out of range 1...65535")
            }
        }
        return problems
    }
}
