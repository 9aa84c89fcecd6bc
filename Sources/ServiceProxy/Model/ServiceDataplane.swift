import Addresses
import IPVS

/// Everything one Service needs in the kernel: its IPVS virtual services and the VIPs to bind.
public struct ServiceDataplane: Hashable, Sendable {
    /// Virtual services by key.
    public var virtualServices: [IPVSServiceKey: DesiredVirtualService]
    /// Addresses to hold on the dummy link: ClusterIPs, externalIPs and load-balancer IPs.
    public var vips: Set<IPAddress>
    /// Virtual services whose traffic from outside the pod network is masqueraded: all but the
    /// external ones (NodePorts, externalIPs, load-balancer IPs) of a Service whose
    /// externalTrafficPolicy is Local, which keep the client's address.
    public var masqueraded: Set<IPVSServiceKey>
    /// Load-balancer virtual services that only some sources may reach, with those sources' ranges
    /// (of the virtual service's family; empty: no source may).
    public var sourceRanges: [IPVSServiceKey: Set<IPPrefix>]

    /// A dataplane value.
    public init(
        virtualServices: [IPVSServiceKey: DesiredVirtualService] = [:], vips: Set<IPAddress> = [],
        masqueraded: Set<IPVSServiceKey> = [], sourceRanges: [IPVSServiceKey: Set<IPPrefix>] = [:]
    ) {
        self.sourceRanges = sourceRanges
        self.virtualServices = virtualServices
        self.vips = vips
        self.masqueraded = masqueraded
    }
}
