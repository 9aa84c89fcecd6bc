/// A container's resource limits and requests, as the API's quantity strings (`"512Mi"`, `"250m"`).
///
/// Quantities stay text here: parsing them belongs to the consumer that knows which unit it wants.
public struct ResourceRequirements: Codable, Sendable, Hashable {
    /// Limits by resource name (`memory`, `cpu`).
    public var limits: [String: String]
    /// Requests by resource name.
    public var requests: [String: String]

    /// Requirements.
    public init(limits: [String: String] = [:], requests: [String: String] = [:]) {
        self.limits = limits
        self.requests = requests
    }

    private enum CodingKeys: String, CodingKey {
        case limits, requests
    }

    /// Decodes requirements; absent maps are empty.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        limits = try container.decodeIfPresent([String: String].self, forKey: .limits) ?? [:]
        requests = try container.decodeIfPresent([String: String].self, forKey: .requests) ?? [:]
    }
}
