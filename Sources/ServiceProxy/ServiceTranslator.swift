import Netlink

/// Turns a Service into the IPVS virtual services and VIPs that implement it. Pure.
///
/// Rules, as kube-proxy's IPVS mode and kube-router apply them:
/// - each port gets a virtual service on every ClusterIP, externalIP and load-balancer IP, and,
///   when it has a nodePort, on the node's NodePort addresses;
/// - ClusterIPs follow internalTrafficPolicy; NodePorts, externalIPs and load-balancer IPs follow
///   externalTrafficPolicy; Local keeps only this node's endpoints;
/// - ready endpoints serve; when none is ready, serving endpoints that are terminating do;
/// - ClientIP affinity is IPVS persistence with the affinity timeout, per client address;
/// - addresses in the excluded CIDRs are never programmed.
public enum ServiceTranslator {
    /// The dataplane of one Service on this node.
    public static func dataplane(for service: ProxiedService, settings: ProxySettings) -> ServiceDataplane {
        var result = ServiceDataplane()
        let usable = usableEndpoints(service.endpoints)
        let local = usable.filter(\.isLocal)
        let clusterEndpoints = service.internalTrafficPolicy == .local ? local : usable
        let externalEndpoints = service.externalTrafficPolicy == .local ? local : usable
        let vipAddresses = (service.clusterIPs + service.externalIPs + service.loadBalancerIPs).filter {
            !settings.isExcluded($0)
        }
        result.vips = Set(vipAddresses)
        for port in service.ports {
            let protocolNumber = ipvsProtocol(port.transport)
            func add(_ address: IPAddress, _ listenPort: Int, _ endpoints: [ServiceEndpoint], external: Bool = false) {
                guard !settings.isExcluded(address), let listen = UInt16(exactly: listenPort) else { return }
                let key = IPVSServiceKey.address(protocolNumber, address, port: listen)
                let servers = endpoints.filter { $0.address.family == address.family }.compactMap {
                    realServer($0, for: port)
                }
                result.virtualServices[key] = DesiredVirtualService(
                    service: virtualService(key, service), realServers: Array(Set(servers)))
                // Local policy exists to keep the client's address; its endpoints are on this node,
                // so their replies come back through it without SNAT.
                if !(external && service.externalTrafficPolicy == .local) { result.masqueraded.insert(key) }
            }
            for address in service.clusterIPs { add(address, port.port, clusterEndpoints) }
            for address in service.externalIPs + service.loadBalancerIPs {
                add(address, port.port, externalEndpoints, external: true)
            }
            if let nodePort = port.nodePort {
                for address in settings.nodePortAddresses { add(address, nodePort, externalEndpoints, external: true) }
            }
        }
        return result
    }

    /// Ready endpoints; or, when none is ready, the serving ones that are terminating.
    public static func usableEndpoints(_ endpoints: [ServiceEndpoint]) -> [ServiceEndpoint] {
        let ready = endpoints.filter(\.ready)
        return ready.isEmpty ? endpoints.filter { $0.serving && $0.terminating } : ready
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
            port.targetPortName != nil
            ? endpoint.ports[port.name]
            : port.name.isEmpty ? port.targetPort : endpoint.ports[port.name] ?? port.targetPort
        guard let target, let targetPort = UInt16(exactly: target), targetPort > 0 else { return nil }
        return IPVSRealServer(address: endpoint.address, port: targetPort)
    }
}
