/// `spec` of a Node: its pod ranges and scheduling state.
public struct NodeSpec: Codable, Sendable, Hashable {
    /// The node's primary pod CIDR.
    public var podCIDR: String?
    /// All pod CIDRs (one per family).
    public var podCIDRs: [String]
    /// Cordoned.
    public var unschedulable: Bool
    /// Taints.
    public var taints: [Taint]

    /// A node spec.
    public init(podCIDR: String? = nil, podCIDRs: [String] = [], unschedulable: Bool = false, taints: [Taint] = []) {
        self.podCIDR = podCIDR
        self.podCIDRs = podCIDRs
        self.unschedulable = unschedulable
        self.taints = taints
    }

    private enum CodingKeys: String, CodingKey {
        case podCIDR, podCIDRs, unschedulable, taints
    }

    /// Decodes a spec; absent lists are empty.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        podCIDR = try container.decodeIfPresent(String.self, forKey: .podCIDR)
        podCIDRs = try container.decodeIfPresent([String].self, forKey: .podCIDRs) ?? []
        unschedulable = try container.decodeIfPresent(Bool.self, forKey: .unschedulable) ?? false
        taints = try container.decodeIfPresent([Taint].self, forKey: .taints) ?? []
    }
}
