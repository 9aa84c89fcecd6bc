/// `status.loadBalancer` of a Service.
public struct LoadBalancerStatus: Codable, Sendable, Hashable {
    /// The load balancer's addresses.
    public var ingress: [LoadBalancerIngress]

    /// A load balancer status.
    public init(ingress: [LoadBalancerIngress] = []) {
        self.ingress = ingress
    }

    private enum CodingKeys: String, CodingKey {
        case ingress
    }

    /// Decodes a status; a missing list is empty.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        ingress = try container.decodeIfPresent([LoadBalancerIngress].self, forKey: .ingress) ?? []
    }
}
