/// One address of a Service's external load balancer (`status.loadBalancer.ingress[]`).
public struct LoadBalancerIngress: Codable, Sendable, Hashable {
    /// An IP address.
    public var ip: String?
    /// A DNS name, for load balancers that have no fixed address.
    public var hostname: String?
    /// `VIP` or `Proxy`: whether traffic arrives with the load balancer's IP as destination.
    public var ipMode: String?

    /// A load-balancer address.
    public init(ip: String? = nil, hostname: String? = nil, ipMode: String? = nil) {
        self.ip = ip
        self.hostname = hostname
        self.ipMode = ipMode
    }
}
