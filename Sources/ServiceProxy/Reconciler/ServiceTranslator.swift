import Addresses
import IPVS

/// Turns a Service into the IPVS virtual services and VIPs that implement it. Pure.
///
/// Rules, as kube-proxy's IPVS mode and kube-router apply them:
/// - each port gets a virtual service on every ClusterIP, externalIP and load-balancer IP, and,
///   when it has a nodePort, on the node's NodePort addresses of the Service's own families;
/// - ClusterIPs follow internalTrafficPolicy; NodePorts, externalIPs and load-balancer IPs follow
///   externalTrafficPolicy; endpoints are chosen as kube-proxy's `CategorizeEndpoints` does (see
///   `categorize`);
/// - ClientIP affinity is IPVS persistence with the affinity timeout, per client address;
/// - a load-balancer IP of a Service with source ranges is reachable only from those ranges;
/// - addresses in the excluded CIDRs are never programmed.
public enum ServiceTranslator {
    /// The dataplane of one Service on this node.
    public static func dataplane(for service: ProxiedService, settings: ProxySettings) -> ServiceDataplane {
        var result = ServiceDataplane()
        let (cluster, local) = categorize(service.endpoints)
        let clusterEndpoints = service.internalTrafficPolicy == .local ? local : cluster
        let externalEndpoints = service.externalTrafficPolicy == .local ? local : cluster
        let vipAddresses = (service.clusterIPs + service.externalIPs + service.loadBalancerIPs).filter {
            !settings.isExcluded($0)
        }
        result.vips = Set(vipAddresses)
        let nodePortAddresses = settings.nodePortAddresses.filter { service.nodePortFamilies.contains($0.family) }
        for port in service.ports {
            let protocolNumber = ipvsProtocol(port.transport)
            func add(
                _ address: IPAddress, _ listenPort: Int, _ endpoints: [ServiceEndpoint], external: Bool = false
            )
                -> IPVSServiceKey?
            {
                guard !settings.isExcluded(address), let listen = UInt16(exactly: listenPort) else { return nil }
                let key = IPVSServiceKey.address(protocolNumber, address, port: listen)
                let servers = endpoints.filter { $0.address.family == address.family }.compactMap {
                    realServer($0, for: port)
                }
                result.virtualServices[key] = DesiredVirtualService(
                    service: virtualService(key, service), realServers: Array(Set(servers)))
                // Local policy exists to keep the client's address; its endpoints are on this node,
                // so their replies come back through it without SNAT.
                if !(external && service.externalTrafficPolicy == .local) { result.masqueraded.insert(key) }
                return key
            }
            for address in service.clusterIPs { _ = add(address, port.port, clusterEndpoints) }
            for address in service.externalIPs { _ = add(address, port.port, externalEndpoints, external: true) }
            for address in service.loadBalancerIPs {
                guard let key = add(address, port.port, externalEndpoints, external: true),
                    !service.loadBalancerSourceRanges.isEmpty
                else { continue }
                result.sourceRanges[key] = Set(
                    service.loadBalancerSourceRanges.filter { $0.family == address.family }.map(\.network))
            }
            if let nodePort = port.nodePort {
                for address in nodePortAddresses { _ = add(address, nodePort, externalEndpoints, external: true) }
            }
        }
        return result
    }

    /// The endpoints for each traffic policy, as kube-proxy's `CategorizeEndpoints` chooses them.
    ///
    /// Cluster: the ready endpoints, narrowed by topology hints when every ready endpoint has
    /// them and some name this node (node hints first, then zone hints); when none is ready, the
    /// serving endpoints that are terminating. Local: the ready local endpoints; when none is
    /// ready, the local ones that are serving and terminating, so a node whose only pod is
    /// shutting down keeps answering during a rolling update.
    public static func categorize(
        _ endpoints: [ServiceEndpoint]
    ) -> (cluster: [ServiceEndpoint], local: [ServiceEndpoint]) {
        let ready = endpoints.filter(\.ready)
        let topology = topologyFilter(ready)
        var cluster = ready.filter(topology)
        if cluster.isEmpty { cluster = endpoints.filter { $0.serving && $0.terminating } }
        let localReady = endpoints.filter { $0.isLocal && $0.ready }
        let local = localReady.isEmpty ? endpoints.filter { $0.isLocal && $0.serving && $0.terminating } : localReady
        return (cluster, local)
    }

    /// Which ready endpoints topology hints leave in (kube-proxy's `topologyModeFromHints`): with
    /// node hints on every ready endpoint and one for this node, those; else the same for zones;
    /// else all.
    static func topologyFilter(_ ready: [ServiceEndpoint]) -> (ServiceEndpoint) -> Bool {
        if ready.allSatisfy({ $0.hintedForThisNode != nil }), ready.contains(where: { $0.hintedForThisNode == true }) {
            return { $0.hintedForThisNode == true }
        }
        if ready.allSatisfy({ $0.hintedForThisZone != nil }), ready.contains(where: { $0.hintedForThisZone == true }) {
            return { $0.hintedForThisZone == true }
        }
        return { _ in true }
    }

    static func ipvsProtocol(_ transport: TransportProtocol) -> IPVSProtocol {
        switch transport {
        case .tcp: .tcp
        case .udp: .udp
        case .sctp: .sctp
        }
    }

    static func virtualService(_ key: IPVSServiceKey, _ service: ProxiedService) -> IPVSVirtualService {
        var flags: IPVSServiceFlags = []
        if service.scheduling.flags.contains(.flag1) { flags.insert(.sched1) }
        if service.scheduling.flags.contains(.flag2) { flags.insert(.sched2) }
        if service.scheduling.flags.contains(.flag3) { flags.insert(.sched3) }
        var timeout: UInt32 = 0
        if case .clientIP(let seconds) = service.affinity { timeout = UInt32(clamping: seconds) }
        return IPVSVirtualService(
            key: key, scheduler: service.scheduling.scheduler.rawValue, flags: flags, persistenceTimeout: timeout)
    }

    static func realServer(_ endpoint: ServiceEndpoint, for port: ServicePort) -> IPVSRealServer? {
        let target =
            port.targetPortName != nil || port.requiresEndpointPort
            ? endpoint.ports[port.name]
            : port.name.isEmpty ? port.targetPort : endpoint.ports[port.name] ?? port.targetPort
        guard let target, let targetPort = UInt16(exactly: target), targetPort > 0 else { return nil }
        return IPVSRealServer(address: endpoint.address, port: targetPort)
    }
}
