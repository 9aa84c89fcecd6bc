/// A value that is either a number or a name, like a Service port's `targetPort` (`8080` or `"http"`).
public enum IntOrString: Sendable, Hashable, Codable, CustomStringConvertible, DecodingDescribed,
    ExpressibleByIntegerLiteral, ExpressibleByStringLiteral
{
    /// A number, e.g. a port.
    case int(Int)
    /// A name, e.g. a container port's name.
    case string(String)

    static var expectedDescription: String { "a number or a string" }

    /// A number.
    public init(integerLiteral value: Int) {
        self = .int(value)
    }

    /// A name.
    public init(stringLiteral value: String) {
        self = .string(value)
    }

    /// Decodes a JSON number or string; anything else is a type mismatch that says both are accepted.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            self = .int(number)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else {
            throw DecodingError.typeMismatch(
                IntOrString.self,
                .init(codingPath: decoder.codingPath, debugDescription: "expected a number or a string"))
        }
    }

    /// Encodes a JSON number or string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let number): try container.encode(number)
        case .string(let text): try container.encode(text)
        }
    }

    /// The number, when this is one.
    public var intValue: Int? {
        if case .int(let number) = self { return number }
        return nil
    }

    /// The name, when this is one.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The value as written in YAML.
    public var description: String {
        switch self {
        case .int(let number): "\(number)"
        case .string(let text): text
        }
    }
}
