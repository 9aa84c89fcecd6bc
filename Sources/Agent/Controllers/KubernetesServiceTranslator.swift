import Addresses
import Kubernetes
import KubernetesModel
import Logging
import ServiceProxy

/// Turns a Kubernetes Service and its EndpointSlices into the proxy's model. Pure.
///
/// This is the one place where Kubernetes objects meet the service proxy, which knows nothing of
/// them. It follows kube-proxy where the API leaves room: the first address of each endpoint,
/// `ready` and `serving` unset mean true, a Service port takes its endpoints' port from the
/// EndpointSlice port of the same name and protocol (an endpoint whose slice lacks it is left
/// out), an address listed in two slices with two ports is two endpoints, and topology hints are
/// read against this node's name and zone.
public struct KubernetesServiceTranslator: Sendable {
    /// The outcome for one Service.
    public enum Translation: Sendable, Equatable {
        /// Proxied as this; `warnings` name annotation values that were ignored, `skipped` the
        /// endpoint addresses left out (not of their slice's address type).
        case proxied(ProxiedService, warnings: [String], skipped: [String])
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
    /// The Node label that names its zone, for topology hints.
    public static let zoneLabel = "topology.kubernetes.io/zone"
    /// The annotation that stood for `spec.loadBalancerSourceRanges` before the field existed;
    /// kube-proxy still reads it when the field is empty.
    public static let sourceRangesAnnotation = "service.beta.kubernetes.io/load-balancer-source-ranges"

    /// This node's name: endpoints on it are local.
    public var nodeName: String
    /// The proxy name this agent answers to, or nil for Services without the label.
    public var serviceProxyName: String?
    /// This node's zone (its `topology.kubernetes.io/zone` label), for zone hints.
    public var zone: String?

    /// A translator for `nodeName`.
    public init(nodeName: String, serviceProxyName: String? = nil, zone: String? = nil) {
        self.nodeName = nodeName
        self.serviceProxyName = serviceProxyName
        self.zone = zone
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
        let sourceRanges = sourceRanges(of: service, problems: &problems)
        let annotations = ServiceAnnotations(service.metadata.annotations)
        guard problems.isEmpty else { return .rejected(problems) }

        let ports = ports(of: service)
        var skipped: [String] = []
        var proxied = ProxiedService(
            name: Self.name(of: service), clusterIPs: clusterIPs, externalIPs: externalIPs,
            loadBalancerIPs: loadBalancerIPs, loadBalancerSourceRanges: sourceRanges,
            ipFamilies: service.spec.ipFamilies.map { $0 == .ipv4 ? .ipv4 : .ipv6 }, ports: ports,
            scheduling: annotations.scheduling,
            externalTrafficPolicy: service.spec.externalTrafficPolicy == .local ? .local : .cluster,
            internalTrafficPolicy: service.spec.internalTrafficPolicy == .local ? .local : .cluster,
            endpoints: endpoints(from: slices, ports: ports, skipped: &skipped))
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
        guard modelProblems.isEmpty else { return .rejected(modelProblems) }
        return .proxied(proxied, warnings: annotations.warnings, skipped: skipped)
    }

    /// `spec.loadBalancerSourceRanges`, or the legacy annotation when the field is empty, as
    /// kube-proxy reads them: trimmed, host bits cleared. A range that is not a CIDR is a problem,
    /// so the Service keeps what the kernel has rather than opening to every source.
    private func sourceRanges(of service: Service, problems: inout [String]) -> [IPPrefix] {
        var field = "spec.loadBalancerSourceRanges"
        var texts = service.spec.loadBalancerSourceRanges
        if texts.isEmpty, let annotation = service.metadata.annotations[Self.sourceRangesAnnotation] {
            field = "annotation \(Self.sourceRangesAnnotation)"
            texts = annotation.split(separator: ",").map(String.init)
        }
        var result: [IPPrefix] = []
        for (index, raw) in texts.enumerated() {
            let text = raw.trimmingSpaces()
            // A CIDR names its length: a bare address is not one, as Kubernetes validates it.
            guard text.contains("/"), let range = try? IPPrefix(parsing: text, clearingHostBits: true) else {
                problems.append("\(field)[\(index)]: '\(raw)' is not a CIDR")
                continue
            }
            if !result.contains(range) { result.append(range) }
        }
        return result
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
                nodePort: hasNodePorts ? port.nodePort : nil, targetPort: port.targetPort?.intValue ?? port.port,
                requiresEndpointPort: true)
            if case .string(let name) = port.targetPort { result.targetPortName = name }
            return result
        }
    }

    /// Every endpoint of the slices, merged by address and ports: during a rollout one address can
    /// be in two slices, and with two port numbers it serves on both, as kube-proxy programs it.
    ///
    /// Each Service port takes its number from the slice port of the same name and protocol
    /// (kube-proxy's `EndpointSliceCache` keys them so). An address that is not one is skipped
    /// and named in `skipped`.
    private func endpoints(
        from slices: some Sequence<EndpointSlice>, ports servicePorts: [ServiceProxy.ServicePort],
        skipped: inout [String]
    ) -> [ServiceEndpoint] {
        var merged: [EndpointKey: ServiceEndpoint] = [:]
        var order: [EndpointKey] = []
        for slice in slices where slice.addressType != .fqdn {
            var ports: [String: Int] = [:]
            for servicePort in servicePorts {
                let match = slice.ports.first {
                    ($0.name ?? "") == servicePort.name && transport($0.protocol) == servicePort.transport
                }
                if let number = match?.port { ports[servicePort.name] = number }
            }
            let family: AddressFamily? =
                switch slice.addressType {
                case .ipv4: .ipv4
                case .ipv6: .ipv6
                case .fqdn: nil
                }
            for endpoint in slice.endpoints {
                guard let first = endpoint.address else { continue }
                guard let address = IPAddress(first), family == nil || address.family == family else {
                    skipped.append(
                        "EndpointSlice \(slice.metadata.name): endpoint address '\(first)' is not an "
                            + "\(slice.addressType.rawValue) address; skipped")
                    continue
                }
                let ready = endpoint.conditions.ready ?? true
                let hints = endpoint.hints
                let next = ServiceEndpoint(
                    address: address, ports: ports, isLocal: endpoint.nodeName == nodeName, ready: ready,
                    serving: endpoint.conditions.serving ?? true,
                    terminating: endpoint.conditions.terminating ?? false,
                    hintedForThisNode: (hints?.forNodes).flatMap { $0.isEmpty ? nil : $0.contains(nodeName) },
                    hintedForThisZone: (hints?.forZones).flatMap { zones in
                        zones.isEmpty ? nil : zone.map { zones.contains($0) } ?? false
                    })
                let key = EndpointKey(address: address, ports: ports)
                if var seen = merged[key] {
                    seen.ready = seen.ready || next.ready
                    seen.serving = seen.serving || next.serving
                    seen.terminating = seen.terminating && next.terminating
                    seen.isLocal = seen.isLocal || next.isLocal
                    merged[key] = seen
                } else {
                    merged[key] = next
                    order.append(key)
                }
            }
        }
        return order.map { merged[$0]! }
    }

    /// What makes two slice entries one endpoint: the address and its ports.
    private struct EndpointKey: Hashable {
        var address: IPAddress
        var ports: [String: Int]
    }

    private func transport(_ value: PortProtocol) -> TransportProtocol {
        switch value {
        case .tcp: .tcp
        case .udp: .udp
        case .sctp: .sctp
        }
    }
}
