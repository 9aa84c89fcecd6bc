/// `status` of a Node: its addresses.
public struct NodeStatus: Codable, Sendable, Hashable {
    /// The node's addresses.
    public var addresses: [NodeAddress]

    /// A node status.
    public init(addresses: [NodeAddress] = []) {
        self.addresses = addresses
    }

    private enum CodingKeys: String, CodingKey {
        case addresses
    }

    /// Decodes a status; an absent list is empty.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        addresses = try container.decodeIfPresent([NodeAddress].self, forKey: .addresses) ?? []
    }
}
