/// A `DecodingError` rendered as one line: the JSON path of the offending value and what was wrong with it.
///
/// Foundation's messages ("Expected to decode Int but found a string instead.") name Swift types and hide the path;
/// a user needs `spec.ports[0].port: expected a number, found a string`.
package struct DecodingProblem: Sendable, Equatable, CustomStringConvertible {
    /// The path in the document, e.g. `spec.ports[0].port`; empty for the document itself.
    package var path: String
    /// What was wrong, e.g. `expected a number, found a string`.
    package var problem: String

    package var description: String {
        path.isEmpty ? problem : "\(path): \(problem)"
    }

    /// Renders `error`, dropping the first `droppingPrefix` coding-path components (the list or event envelope).
    package init(_ error: DecodingError, droppingPrefix: Int = 0) {
        switch error {
        case .typeMismatch(let type, let context):
            path = Self.render(context.codingPath.dropFirst(droppingPrefix))
            problem = "expected \(Self.noun(for: type))" + Self.found(in: context.debugDescription)
        case .valueNotFound(let type, let context):
            path = Self.render(context.codingPath.dropFirst(droppingPrefix))
            problem = "expected \(Self.noun(for: type)), found null"
        case .keyNotFound(let key, let context):
            path = Self.render((context.codingPath + [key]).dropFirst(droppingPrefix))
            problem = "required field is missing"
        case .dataCorrupted(let context):
            path = Self.render(context.codingPath.dropFirst(droppingPrefix))
            problem = Self.lowercasedFirst(context.debugDescription)
        @unknown default:
            path = ""
            problem = "\(error)"
        }
    }

    init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    /// `a.b[0].c` from coding keys.
    static func render<Path: Collection<any CodingKey>>(_ keys: Path) -> String {
        var result = ""
        for key in keys {
            if let index = key.intValue, key.stringValue.hasPrefix("Index ") || key.stringValue == "\(index)" {
                result += "[\(index)]"
            } else {
                if !result.isEmpty { result += "." }
                result += key.stringValue
            }
        }
        return result
    }

    private static func noun(for type: Any.Type) -> String {
        switch type {
        case is any BinaryInteger.Type: return "a number"
        case is any BinaryFloatingPoint.Type: return "a number"
        case is String.Type, is Substring.Type: return "a string"
        case is Bool.Type: return "a boolean"
        default: break
        }
        let name = String(describing: type)
        if name.hasPrefix("Array<") || name.contains("UnkeyedDecodingContainer") { return "a list" }
        if name.hasPrefix("Dictionary<") || name.contains("KeyedDecodingContainer") { return "an object" }
        if let described = type as? any DecodingDescribed.Type { return described.expectedDescription }
        return "an object"
    }

    /// ", found a string" from Foundation's "... but found a string instead." when it says so.
    private static func found(in debugDescription: String) -> String {
        guard let range = debugDescription.range(of: "but found ") else { return "" }
        var rest = debugDescription[range.upperBound...]
        if let end = rest.range(of: " instead") { rest = rest[..<end.lowerBound] }
        guard !rest.isEmpty else { return "" }
        // Speak JSON, not Swift: Foundation says "bool", "a dictionary", "an array".
        let json: [Substring: String] = [
            "bool": "a boolean", "a bool": "a boolean", "a dictionary": "an object", "dictionary": "an object",
            "an array": "a list", "array": "a list", "number": "a number", "string": "a string",
        ]
        return ", found " + (json[rest] ?? String(rest))
    }

    private static func lowercasedFirst(_ text: String) -> String {
        guard let first = text.first else { return "invalid value" }
        var result = text
        if first.isUppercase, text.dropFirst().first?.isLowercase ?? true {
            result = first.lowercased() + text.dropFirst()
        }
        if result.hasSuffix(".") { result.removeLast() }
        return result
    }
}
