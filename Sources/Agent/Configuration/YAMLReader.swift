import Yams

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Walks a composed YAML tree by hand so that every problem in a file is reported with its line, not just the first.
///
/// Readers never throw while walking: each problem is recorded and the walk goes on with the next key, so a
/// user fixing a file sees everything at once. `finish()` throws when anything was recorded.
struct YAMLReader {
    /// A mapping whose keys were checked against the valid ones; `path` names it in messages.
    struct Mapping {
        /// Where the mapping sits, such as `podRouting` or `routes[1]`; empty for the top level.
        let path: String
        /// The mapping node itself, for positions.
        let node: Node
        /// The entries with known keys, by key, including those with empty (null) values.
        let entries: [String: (key: Node, value: Node)]
        /// Whether some key was unknown (and reported); a missing key is then most likely that one misspelt.
        let hasUnknownKeys: Bool

        /// The value of `key`, or nil when the key is absent or its value is empty, which both mean "default".
        subscript(key: String) -> Node? {
            guard let value = entries[key]?.value, !YAMLReader.isNull(value) else { return nil }
            return value
        }

        /// The path of a key inside this mapping, as messages name it.
        func path(of key: String) -> String {
            path.isEmpty ? key : "\(path).\(key)"
        }
    }

    /// Files larger than this are refused: no sane configuration is, and it stops `/dev/zero` eating memory.
    static let maximumFileSize = 4 << 20

    /// The file as the user named it, for the error.
    let file: String
    /// Every problem found so far, in the order found.
    private(set) var problems: [ConfigurationProblem] = []

    /// A reader that reports problems as belonging to `file`.
    init(file: String) {
        self.file = file
    }

    // MARK: Files and documents

    /// Reads a whole text file, or throws one problem naming the errno text.
    static func readFile(path: String) throws(ConfigurationError) -> String {
        func errnoFailure(_ code: Int32) -> ConfigurationError {
            let reason = String(cString: strerror(code))
            return ConfigurationError(file: path, message: "cannot read the file: \(reason) (errno \(code))")
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw errnoFailure(errno) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                throw errnoFailure(code)
            }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
            guard bytes.count <= maximumFileSize else {
                let message = "the file is larger than \(maximumFileSize >> 20) MiB; is it really a configuration file?"
                throw ConfigurationError(file: path, message: message)
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigurationError(file: path, message: "the file is not UTF-8 text")
        }
        return text
    }

    /// Parses `yaml` and returns its top-level mapping checked against `keys`.
    ///
    /// Throws at once for what leaves nothing to walk: a syntax error, an empty document, a top level that is
    /// not a mapping. Unknown top-level keys are only recorded.
    mutating func root(yaml: String, keys: [String]) throws(ConfigurationError) -> Mapping {
        let document: Node?
        do {
            document = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ConfigurationError(file: file, problems: [Self.problem(from: error, yaml: yaml)])
        } catch {
            throw ConfigurationError(file: file, message: "\(error)")
        }
        guard let document, !Self.isNull(document) else {
            let message = "the file is empty (expected a mapping with the keys \(keys.joined(separator: ", ")))"
            throw ConfigurationError(file: file, message: message)
        }
        guard let root = mapping(document, path: "", keys: keys) else {
            throw ConfigurationError(file: file, problems: problems)
        }
        return root
    }

    /// Throws every recorded problem, sorted by position, when there is any.
    func finish() throws(ConfigurationError) {
        guard !problems.isEmpty else { return }
        let sorted = problems.enumerated().sorted { left, right in
            let leftKey = (left.element.line ?? 0, left.element.column ?? 0, left.offset)
            let rightKey = (right.element.line ?? 0, right.element.column ?? 0, right.offset)
            return leftKey < rightKey
        }
        throw ConfigurationError(file: file, problems: sorted.map(\.element))
    }

    // MARK: Recording problems

    /// Records a problem at the position of `node`.
    mutating func report(_ message: String, at node: Node?) {
        let mark = node?.mark
        problems.append(ConfigurationProblem(line: mark?.line, column: mark?.column, message: message))
    }

    /// Records that a required key is missing or empty, unless an unknown key already explains it.
    mutating func reportMissing(_ message: String, in mapping: Mapping, key: String) {
        guard !mapping.hasUnknownKeys || mapping.entries[key] != nil else { return }
        // A key missing from the top level belongs to the file as a whole, not to its first line.
        report(message, at: mapping.entries[key]?.key ?? (mapping.path.isEmpty ? nil : mapping.node))
    }

    /// Records that `node`, found at `path`, is not what was expected.
    mutating func reportType(at path: String, expected: String, got node: Node) {
        report("\(path): expected \(expected), got \(Self.describe(node))", at: node)
    }

    // MARK: Structure

    /// Checks that `node` is a mapping whose keys are all in `keys`, recording each unknown key.
    mutating func mapping(_ node: Node, path: String, keys: [String]) -> Mapping? {
        guard let pairs = pairs(node, path: path, expected: "a mapping with the keys \(keys.joined(separator: ", "))")
        else { return nil }
        var entries: [String: (key: Node, value: Node)] = [:]
        var hasUnknownKeys = false
        for (key, value) in pairs {
            guard case .scalar(let scalar) = key, !scalar.string.isEmpty else {
                report("\(Self.place(path)): a key must be a name, got \(Self.describe(key))", at: key)
                continue
            }
            guard keys.contains(scalar.string) else {
                let expected = keys.joined(separator: ", ")
                report("unknown key '\(scalar.string)' in \(Self.place(path)) (expected: \(expected))", at: key)
                hasUnknownKeys = true
                continue
            }
            entries[scalar.string] = (key, value)
        }
        return Mapping(path: path, node: node, entries: entries, hasUnknownKeys: hasUnknownKeys)
    }

    /// The key-value pairs of a mapping whose keys are data (such as addresses), not a fixed set of names.
    mutating func pairs(_ node: Node, path: String, expected: String) -> [(key: Node, value: Node)]? {
        guard case .mapping(let mapping) = node else {
            reportType(at: Self.place(path), expected: expected, got: node)
            return nil
        }
        return mapping.map { ($0.key, $0.value) }
    }

    /// Parses the scalars of a list one by one, reporting each bad or repeated item at its line;
    /// nil when any item is wrong, so that nothing of a bad list is used.
    mutating func uniqueItems<Value: Equatable>(
        _ items: [Node], path: String, expected: String, parse: (String) -> Result<Value, ItemProblem>,
        duplicate: (Value) -> String
    ) -> [Value]? {
        var values: [Value] = []
        var valid = true
        for item in items {
            guard case .scalar(let scalar) = item, !YAMLReader.isNull(item) else {
                reportType(at: path, expected: expected, got: item)
                valid = false
                continue
            }
            switch parse(scalar.string) {
            case .failure(let problem):
                report("\(path): \(problem.message)", at: item)
                valid = false
            case .success(let value) where values.contains(value):
                report("\(path): \(duplicate(value))", at: item)
                valid = false
            case .success(let value):
                values.append(value)
            }
        }
        return valid ? values : nil
    }

    /// Why one list item was refused.
    struct ItemProblem: Error {
        let message: String
    }

    /// The items of a list.
    mutating func sequence(_ node: Node, path: String, expected: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            reportType(at: path, expected: expected, got: node)
            return nil
        }
        return Array(sequence)
    }

    // MARK: Scalars

    /// A string value; numbers and booleans are refused so that typos such as `nodeName: yes` are caught.
    mutating func string(_ key: String, in mapping: Mapping) -> String? {
        guard let node = mapping[key] else { return nil }
        guard case .scalar(let scalar) = node, Self.has(node, tag: .str) else {
            reportType(at: mapping.path(of: key), expected: "a string", got: node)
            return nil
        }
        guard !scalar.string.isEmpty else {
            report("\(mapping.path(of: key)): must not be empty (leave the key out for the default)", at: node)
            return nil
        }
        return scalar.string
    }

    /// A boolean: `true` or `false` (YAML 1.1 also reads yes/no and on/off as booleans).
    mutating func bool(_ key: String, in mapping: Mapping) -> Bool? {
        guard let node = mapping[key] else { return nil }
        guard case .scalar(let scalar) = node, Self.has(node, tag: .bool), let value = Bool.construct(from: scalar)
        else {
            reportType(at: mapping.path(of: key), expected: "a boolean (true or false)", got: node)
            return nil
        }
        return value
    }

    /// An integer within `range`; quoted numbers are strings and are refused.
    mutating func integer<Value: FixedWidthInteger>(
        _ key: String, in mapping: Mapping, range: ClosedRange<Value>
    ) -> Value? {
        guard let node = mapping[key] else { return nil }
        return integer(node, path: mapping.path(of: key), range: range)
    }

    /// An integer node within `range`; `expected` describes the accepted values when they are more than a range.
    mutating func integer<Value: FixedWidthInteger>(
        _ node: Node, path: String, range: ClosedRange<Value>, expected: String? = nil
    ) -> Value? {
        let expected = expected ?? "an integer \(range.lowerBound)...\(range.upperBound)"
        guard case .scalar(let scalar) = node, Self.has(node, tag: .int) else {
            reportType(at: path, expected: expected, got: node)
            return nil
        }
        guard let wide = Int.construct(from: scalar), let value = Value(exactly: wide), range.contains(value) else {
            report("\(path): \(scalar.string) is out of range (expected \(expected))", at: node)
            return nil
        }
        return value
    }

    /// One of a fixed set of words.
    mutating func choice(_ key: String, in mapping: Mapping, from choices: [String]) -> String? {
        guard let node = mapping[key] else { return nil }
        let expected = "one of \(choices.joined(separator: ", "))"
        guard case .scalar(let scalar) = node, choices.contains(scalar.string) else {
            reportType(at: mapping.path(of: key), expected: expected, got: node)
            return nil
        }
        return scalar.string
    }

    /// A duration such as `30s`, `5m`, `1h` or `1h30m`, at least `minimum`; `reason` says why the minimum exists.
    mutating func duration(
        _ key: String, in mapping: Mapping, minimum: Duration, allowingZero: Bool = false, reason: String
    ) -> Duration? {
        guard let node = mapping[key] else { return nil }
        let path = mapping.path(of: key)
        guard case .scalar(let scalar) = node, let value = Self.parseDuration(scalar.string) else {
            reportType(at: path, expected: "a duration such as 30s, 5m or 1h30m", got: node)
            return nil
        }
        guard value >= minimum || (allowingZero && value == .zero) else {
            let least = Self.format(minimum) + (allowingZero ? ", or 0" : "")
            let message = "\(path): \(scalar.string) is too short; the minimum is \(least) (\(reason))"
            report(message, at: node)
            return nil
        }
        return value
    }

    // MARK: Helpers

    /// Whether a node is YAML's null: `~`, `null` or nothing at all after the colon.
    static func isNull(_ node: Node) -> Bool {
        if case .scalar = node, Self.has(node, tag: .null) { return true }
        return false
    }

    /// Whether a node's resolved tag is `tag`; plain scalars resolve by their text, quoted ones are strings.
    static func has(_ node: Node, tag: Tag.Name) -> Bool {
        node.tag.rawValue == tag.rawValue
    }

    /// How a message names a path: the top level has no path of its own.
    static func place(_ path: String) -> String {
        path.isEmpty ? "the top level" : path
    }

    /// A short description of a node for "got ..." in messages.
    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            if isNull(node) { return "an empty value" }
            let text = scalar.string.count > 40 ? scalar.string.prefix(40) + "…" : Substring(scalar.string)
            switch scalar.style {
            case .singleQuoted, .doubleQuoted: return "the quoted string \"\(text)\""
            default: return "'\(text)'"
            }
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    /// Parses `30s`, `5m`, `1h`, `1h30m` and the like; nil for anything else, including a bare number.
    static func parseDuration(_ text: String) -> Duration? {
        var total: Int64 = 0
        var number: Int64?
        var sawUnit = false
        for character in text {
            if let digit = character.wholeNumberValue, character.isASCII {
                let (shifted, overflow) = (number ?? 0).multipliedReportingOverflow(by: 10)
                guard !overflow else { return nil }
                number = shifted + Int64(digit)
                continue
            }
            let seconds: Int64
            switch character {
            case "h": seconds = 3600
            case "m": seconds = 60
            case "s": seconds = 1
            default: return nil
            }
            guard let value = number else { return nil }
            let (product, overflow) = value.multipliedReportingOverflow(by: seconds)
            let (sum, sumOverflow) = total.addingReportingOverflow(product)
            guard !overflow, !sumOverflow else { return nil }
            total = sum
            number = nil
            sawUnit = true
        }
        guard sawUnit, number == nil else { return nil }
        return .seconds(total)
    }

    /// Writes a whole-second duration the way the configuration does: `10s`, `5m`, `1h30m`.
    static func format(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        guard seconds > 0 else { return "0s" }
        let parts: [(Int64, String)] = [(seconds / 3600, "h"), (seconds % 3600 / 60, "m"), (seconds % 60, "s")]
        return parts.filter { $0.0 > 0 }.map { "\($0.0)\($0.1)" }.joined()
    }

    /// Turns a Yams error into one problem at Yams's position.
    private static func problem(from error: YamlError, yaml: String) -> ConfigurationProblem {
        func syntax(_ problem: String, _ context: YamlError.Context?, _ mark: Mark) -> ConfigurationProblem {
            var detail = ""
            if let context {
                let samePlace = context.mark.line == mark.line && context.mark.column == mark.column
                let place = samePlace ? "" : " at line \(context.mark.line), column \(context.mark.column)"
                detail = " (\(context.text)\(place))"
            }
            // libyaml's message for a tab says nothing of tabs, and tabs are the usual cause.
            let isTab = character(atLine: mark.line, column: mark.column, in: yaml) == "\t"
            let hint = isTab ? "; YAML does not allow tabs here" : ""
            return ConfigurationProblem(
                line: mark.line, column: mark.column, message: "YAML syntax error: \(problem)\(detail)\(hint)")
        }
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            return syntax(problem, context, mark)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return ConfigurationProblem(
                line: context.mark.line, column: context.mark.column,
                message: "key \(keys) appears more than once in this mapping (this is its first occurrence)")
        case .reader(let problem, let offset, _, _):
            let place = offset.map { position(ofCharacter: $0, in: yaml) }
            return ConfigurationProblem(
                line: place?.line, column: place?.column, message: "cannot read YAML: \(problem)")
        default:
            return ConfigurationProblem(line: nil, column: nil, message: "\(error)")
        }
    }

    /// The Unicode scalar at a 1-based line and column, if there is one.
    private static func character(atLine line: Int, column: Int, in text: String) -> Unicode.Scalar? {
        let lines = text.split(separator: "\n", maxSplits: line, omittingEmptySubsequences: false)
        guard line >= 1, line <= lines.count, column >= 1 else { return nil }
        let scalars = Array(lines[line - 1].unicodeScalars)
        return column <= scalars.count ? scalars[column - 1] : nil
    }

    /// The 1-based line and column of the character at `offset`.
    private static func position(ofCharacter offset: Int, in text: String) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for character in text.prefix(offset) {
            if character.isNewline {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }
}
