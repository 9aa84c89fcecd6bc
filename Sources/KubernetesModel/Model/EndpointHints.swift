/// An endpoint's topology hints (`hints`): where the EndpointSlice controller wants it used.
public struct EndpointHints: Codable, Sendable, Hashable {
    /// The zones the endpoint should serve (`forZones[].name`).
    public var forZones: [String]
    /// The nodes the endpoint should serve (`forNodes[].name`, Kubernetes 1.33+).
    public var forNodes: [String]

    /// Hints.
    public init(forZones: [String] = [], forNodes: [String] = []) {
        self.forZones = forZones
        self.forNodes = forNodes
    }

    private enum CodingKeys: String, CodingKey {
        case forZones, forNodes
    }

    /// One `{name: ...}` entry of a hint list.
    private struct Named: Codable {
        var name: String
    }

    /// Decodes hints; absent lists are empty.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        forZones = (try container.decodeIfPresent([Named].self, forKey: .forZones) ?? []).map(\.name)
        forNodes = (try container.decodeIfPresent([Named].self, forKey: .forNodes) ?? []).map(\.name)
    }

    /// Encodes the hints as the API writes them.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if !forZones.isEmpty { try container.encode(forZones.map(Named.init), forKey: .forZones) }
        if !forNodes.isEmpty { try container.encode(forNodes.map(Named.init), forKey: .forNodes) }
    }
}
