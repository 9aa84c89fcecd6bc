/// A Prometheus text exposition read back, for tests that check what `/metrics` served.
///
/// Strict on purpose: a line that is not a comment, a sample or empty, an unterminated label
/// value or an unknown escape is an error, so a test also proves the text is well formed.
public struct ScrapedExposition: Sendable {
    /// One sample line.
    public struct Sample: Sendable, Equatable, CustomStringConvertible {
        /// The metric name.
        public var name: String
        /// The labels, in the order written.
        public var labels: [(name: String, value: String)]
        /// The value.
        public var value: Double

        /// A label's value, or nil when the sample has no such label.
        public subscript(label: String) -> String? { labels.first { $0.name == label }?.value }

        /// The sample as a line (unescaped).
        public var description: String {
            "\(name){\(labels.map { "\($0.name)=\($0.value)" }.joined(separator: ","))} \(value)"
        }

        public static func == (lhs: Sample, rhs: Sample) -> Bool {
            lhs.name == rhs.name && lhs.labels.elementsEqual(rhs.labels) { $0 == $1 }
                && (lhs.value == rhs.value || (lhs.value.isNaN && rhs.value.isNaN))
        }
    }

    /// A line that is not valid exposition text.
    public struct Malformed: Error, CustomStringConvertible, Sendable {
        /// The line's number, from 1.
        public var line: Int
        /// What is wrong.
        public var problem: String
        /// Names the line and the problem.
        public var description: String { "exposition line \(line): \(problem)" }
    }

    /// Every sample, in order.
    public var samples: [Sample] = []
    /// The `# TYPE` lines' names and types, in order (a name twice means a family written twice).
    public var types: [(name: String, type: String)] = []
    /// The `# HELP` lines' names, in order.
    public var helps: [String] = []
    /// For each sample (same index), the name of the last `# TYPE` line above it.
    public var familyOfSample: [String?] = []

    /// Reads `text`.
    public init(_ text: String) throws {
        var family: String?
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.isEmpty { continue }
            if line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ")
                guard parts.count == 2 else { throw Malformed(line: index + 1, problem: "bad TYPE: \(line)") }
                types.append((String(parts[0]), String(parts[1])))
                family = String(parts[0])
            } else if line.hasPrefix("# HELP ") {
                helps.append(String(line.dropFirst(7).prefix { $0 != " " }))
            } else if line.hasPrefix("#") {
                continue
            } else {
                samples.append(try Self.sample(line, number: index + 1))
                familyOfSample.append(family)
            }
        }
    }

    /// The samples named `name`.
    public func samples(_ name: String) -> [Sample] { samples.filter { $0.name == name } }

    /// The one sample named `name` whose labels include all of `labels`; nil when none or several match.
    public func sample(_ name: String, _ labels: [String: String]) -> Sample? {
        let matching = samples.filter { sample in
            sample.name == name && labels.allSatisfy { sample[$0.key] == $0.value }
        }
        return matching.count == 1 ? matching[0] : nil
    }

    private static func sample(_ line: Substring, number: Int) throws -> Sample {
        var rest = line[...]
        let name = rest.prefix { $0 != "{" && $0 != " " }
        guard !name.isEmpty else { throw Malformed(line: number, problem: "no metric name: \(line)") }
        rest = rest.dropFirst(name.count)
        var labels: [(name: String, value: String)] = []
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let label = rest.prefix { $0 != "=" }
                rest = rest.dropFirst(label.count)
                guard rest.hasPrefix("=\"") else { throw Malformed(line: number, problem: "bad label: \(line)") }
                rest = rest.dropFirst(2)
                var value = ""
                while true {
                    guard let character = rest.popFirst() else {
                        throw Malformed(line: number, problem: "unterminated label value: \(line)")
                    }
                    if character == "\"" { break }
                    guard character == "\\" else {
                        value.append(character)
                        continue
                    }
                    switch rest.popFirst() {
                    case "\\": value.append("\\")
                    case "\"": value.append("\"")
                    case "n": value.append("\n")
                    default: throw Malformed(line: number, problem: "bad escape: \(line)")
                    }
                }
                labels.append((String(label), value))
                if rest.first == "," { rest = rest.dropFirst() }
                guard !rest.isEmpty else { throw Malformed(line: number, problem: "unterminated labels: \(line)") }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw Malformed(line: number, problem: "no value: \(line)") }
        let text = rest.dropFirst()
        let value: Double?
        switch text {
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        case "NaN": value = .nan
        default: value = Double(text)
        }
        guard let value else { throw Malformed(line: number, problem: "bad value \(text): \(line)") }
        return Sample(name: String(name), labels: labels, value: value)
    }
}
