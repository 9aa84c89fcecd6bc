import Addresses
import BGP
import ServiceProxy
import Synchronization

/// The service VIPs this node advertises over BGP, kept current by the service proxy's loop.
///
/// ClusterIPs, external IPs and load-balancer IPs, each kind only when the `bgp` section asks for
/// it, as host routes (/32, /128). A Service with `externalTrafficPolicy: Local` advertises its
/// VIPs only while this node has a ready endpoint of it: traffic the router sends here would
/// otherwise find no backend (kube-router withdraws them the same way).
public final class ServiceVIPs: Sendable {
    private let settings: RudderConfiguration.BGP
    private let byService = Mutex<[ServiceName: Set<BGPPrefix>]>([:])
    /// Signals every change to `all`.
    let changed = ChangeSignal()

    /// VIPs for the kinds `settings` advertises.
    public init(settings: RudderConfiguration.BGP) {
        self.settings = settings
    }

    /// Records a Service as the proxy has it now (nil: gone or not proxied).
    public func record(_ service: ProxiedService?, name: ServiceName) {
        let prefixes = service.map(advertised(by:)) ?? []
        let didChange = byService.withLock { vips in
            let new = prefixes.isEmpty ? nil : prefixes
            guard vips[name] != new else { return false }
            vips[name] = new
            return true
        }
        if didChange { changed.signal() }
    }

    /// Every VIP to advertise now.
    public var all: Set<BGPPrefix> {
        byService.withLock { $0.values.reduce(into: Set()) { $0.formUnion($1) } }
    }

    /// The host routes one Service contributes.
    public func advertised(by service: ProxiedService) -> Set<BGPPrefix> {
        if service.externalTrafficPolicy == .local && !service.endpoints.contains(where: { $0.isLocal && $0.ready }) {
            return []
        }
        var addresses: [IPAddress] = []
        if settings.advertiseClusterIPs { addresses += service.clusterIPs }
        if settings.advertiseExternalIPs { addresses += service.externalIPs }
        if settings.advertiseLoadBalancerIPs { addresses += service.loadBalancerIPs }
        return Set(addresses.map(BGPPrefix.init(host:)))
    }
}
