import Kubernetes
import Logging
import Netlink
import ServiceProxy

/// Turns a Kubernetes Service and its EndpointSlices into the proxy's model. Pure.
///
/// This is the one place where Kubernetes objects meet the service proxy, which knows nothing of
/// them. It follows kube-proxy where the API leaves room: the first address of each endpoint,
/// `ready` unset means ready, `serving` unset means `ready`, and the Service port's name is
/// the key that EndpointSlice ports are matched by, which resolves named target ports.
public struct KubernetesServiceTranslator: Sendable {
    /// The outcome for one Service.
    public enum Translation: Sendable, Equatable {
        /// Proxied as this; `warnings` name annotation values that were ignored.
        case proxied(ProxiedService, warnings: [String])
        /// Not for this proxy: headless, ExternalName, or another proxy's (by its label).
        case ignored(reason: String)
        /// Invalid: each problem in one line. What the kernel has for the Service stays as it is.
        case rejected([String])
    }

    /// The label naming the proxy a Service is meant for; Services with it belong to another proxy
    /// unless its value is this agent's `serviceProxyName`.
    public static let serviceProxyNameLabel = "service.kubernetes.io/service-proxy-name"
    /// The label the control plane puts on a headless Service's EndpointSlices.
    public static let headlessLabel = "service.kubernetes.io/headless"

    /// This node's name: endpoints on it are local.
    public var nodeName: String
    /// The proxy name this agent answers to, or nil for Services without the label.
    public var serviceProxyName: String?

    /// A translator for `nodeName`.
    public init(nodeName: String, serviceProxyName: String? = nil) {
        self.nodeName = nodeName
        self.serviceProxyName = serviceProxyName
    }

    /// The label selector for Service and EndpointSlice informers, as kube-proxy builds it.
    public var labelSelector: String {
        let proxy = serviceProxyName.map { "\(Self.serviceProxyNameLabel)=\($0)" } ?? "!\(Self.serviceProxyNameLabel)"
        return "\(proxy),!\(Self.headlessLabel)"
    }

    /// The Service's name in the proxy's terms.
    public static func name(of service: Service) -> ServiceName {
        ServiceName(namespace: service.metadata.namespace ?? "default", name: service.metadata.name)
    }

    /// Translates one Service with the EndpointSlices labelled with its name.
    public func translate(_ service: Service, slices: some Sequence<EndpointSlice>) -> Translation {
        let labels = service.metadata.labels
        if labels[Self.serviceProxyNameLabel] != serviceProxyName {
            return .ignored(reason: "label \(Self.serviceProxyNameLabel) names another proxy")
        }
        if labels[Self.headlessLabel] != nil { return .ignored(reason: "headless") }
        if service.spec.type == .externalName { return .ignored(reason: "ExternalName") }
        var problems: [String] = []
        let rawClusterIPs =
            service.spec.clusterIPs.isEmpty ? [service.spec.clusterIP].compactMap { $0 } : service.spec.clusterIPs
        if rawClusterIPs.contains("None") { return .ignored(reason: "headless (clusterIP None)") }
        let clusterIPs = addresses(rawClusterIPs, field: "spec.clusterIPs", problems: &problems)
        if clusterIPs.isEmpty && problems.isEmpty { return .ignored(reason: "no clusterIP allocated yet") }
        let externalIPs = addresses(service.spec.externalIPs, field: "spec.externalIPs", problems: &problems)
        // An ingress in Proxy mode is a load balancer that proxies itself: the node must not claim its IP.
        let ingress = service.status.loadBalancer.ingress.filter { $0.ipMode != "Proxy" }.compactMap(\.ip)
        let loadBalancerIPs = addresses(ingress, field: "status.loadBalancer.ingress", problems: &problems)
        let annotations = ServiceAnnotations(service.metadata.annotations)
        guard problems.isEmpty else { return .rejected(problems) }

        var proxied = ProxiedService(
            name: Self.name(of: service), clusterIPs: clusterIPs, externalIPs: externalIPs,
            loadBalancerIPs: loadBalancerIPs, ports: ports(of: service), scheduling: annotations.scheduling,
            externalTrafficPolicy: service.spec.externalTrafficPolicy == .local ? .local : .cluster,
            internalTrafficPolicy: service.spec.internalTrafficPolicy == .local ? .local : .cluster,
            endpoints: endpoints(from: slices))
        if service.spec.sessionAffinity == .clientIP {
            let timeout =
                service.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds
                ?? ProxiedService.Affinity.defaultTimeoutSeconds
            proxied.affinity = .clientIP(timeoutSeconds: timeout)
        }
        if annotations.local {
            proxied.externalTrafficPolicy = .local
            proxied.internalTrafficPolicy = .local
        }
        let modelProblems = proxied.problems
        return modelProblems.isEmpty ? .proxied(proxied, warnings: annotations.warnings) : .rejected(modelProblems)
    }

    private func addresses(_ texts: [String], field: String, problems: inout [String]) -> [IPAddress] {
        var result: [IPAddress] = []
        for (index, text) in texts.enumerated() where !text.isEmpty {
            guard let address = IPAddress(text) else {
                problems.append("\(field)[\(index)]: '\(text)' is not an IP address")
                continue
            }
            if !result.contains(address) { result.append(address) }
        }
        return result
    }

    private func ports(of service: Service) -> [ServiceProxy.ServicePort] {
        let hasNodePorts = service.spec.type == .nodePort || service.spec.type == .loadBalancer
        return service.spec.ports.map { port in
            var result = ServiceProxy.ServicePort(
                name: port.name ?? "", transport: transport(port.protocol), port: port.port,
                nodePort: hasNodePorts ? port.nodePort : nil, targetPort: port.targetPort?.intValue ?? port.port)
            if case .string(let name) = port.targetPort { result.targetPortName = name }
            return result
        }
    }

    /// Every endpoint of the slices, merged by address: during a rollout one address can be in two slices.
    private func endpoints(from slices: some Sequence<EndpointSlice>) -> [ServiceEndpoint] {
        var byAddress: [IPAddress: ServiceEndpoint] = [:]
        var order: [IPAddress] = []
        for slice in slices where slice.addressType != .fqdn {
            var ports: [String: Int] = [:]
            for port in slice.ports {
                if let number = port.port { ports[port.name ?? ""] = number }
            }
            for endpoint in slice.endpoints {
                guard let first = endpoint.address, let address = IPAddress(first) else { continue }
                let ready = endpoint.conditions.ready ?? true
                let next = ServiceEndpoint(
                    address: address, ports: ports, isLocal: endpoint.nodeName == nodeName, ready: ready,
                    serving: endpoint.conditions.serving ?? ready, terminating: endpoint.conditions.terminating ?? false
                )
                if var seen = byAddress[address] {
                    seen.ports.merge(ports) { current, _ in current }
                    seen.ready = seen.ready || next.ready
                    seen.serving = seen.serving || next.serving
                    seen.terminating = seen.terminating && next.terminating
                    seen.isLocal = seen.isLocal || next.isLocal
                    byAddress[address] = seen
                } else {
                    byAddress[address] = next
                    order.append(address)
                }
            }
        }
        return order.map { byAddress[$0]! }
    }

    private func transport(_ value: PortProtocol) -> TransportProtocol {
        switch value {
        case .tcp: .tcp
        case .udp: .udp
        case .sctp: .sctp
        }
    }
}
