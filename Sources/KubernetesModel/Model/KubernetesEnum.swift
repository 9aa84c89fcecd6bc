/// A closed set of string values from the API (`type: ClusterIP`); an unknown value is a decoding error naming
/// the allowed ones, because acting on a value the agent does not understand would be worse than skipping the object.
public protocol KubernetesEnum: RawRepresentable<String>, CaseIterable, Codable, Sendable, Hashable {}

extension KubernetesEnum {
    /// Decodes a known value or fails with the list of known ones.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let value = Self(rawValue: raw) else {
            let known = Self.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "unknown value \"\(raw)\" (expected one of \(known))"))
        }
        self = value
    }

    /// Encodes the raw string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
