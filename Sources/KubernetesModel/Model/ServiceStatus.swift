/// `status` of a Service.
public struct ServiceStatus: Codable, Sendable, Hashable {
    /// The external load balancer's state.
    public var loadBalancer: LoadBalancerStatus

    /// A Service status.
    public init(loadBalancer: LoadBalancerStatus = LoadBalancerStatus()) {
        self.loadBalancer = loadBalancer
    }

    private enum CodingKeys: String, CodingKey {
        case loadBalancer
    }

    /// Decodes a status; missing parts are empty.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        loadBalancer = try container.decodeIfPresent(LoadBalancerStatus.self, forKey: .loadBalancer) ?? .init()
    }
}
