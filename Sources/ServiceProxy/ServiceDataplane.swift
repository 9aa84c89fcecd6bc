import Netlink

/// Everything one Service needs in the kernel: its IPVS virtual services and the VIPs to bind.
public struct ServiceDataplane: Hashable, Sendable {
    /// Virtual services by key.
    public var virtualServices: [IPVSServiceKey: DesiredVirtualService]
    /// Addresses to hold on the dummy link: ClusterIPs, externalIPs and load-balancer IPs.
    public var vips: Set<IPAddress>

    /// A dataplane value.
    public init(virtualServices: [IPVSServiceKey: DesiredVirtualService] = [:], vips: Set<IPAddress> = []) {
        self.virtualServices = virtualServices
        self.vips = vips
    }
}
