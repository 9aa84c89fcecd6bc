/// A JSON document parsed once into a flat list of nodes in document order, for `KubernetesJSONDecoder`.
///
/// Each node records its kind and byte range; a container also records how many children it has and where its
/// next sibling starts, so that skipping a member is one array access. Nothing is copied out of the bytes until a
/// value is asked for, and objects are searched in place instead of being turned into dictionaries — the costs
/// that dominate Foundation's decoder on large LISTs. The parser is iterative (no recursion) with a depth limit,
/// and rejects anything RFC 8259 does not allow.
struct JSONTape: Sendable {
    /// What a node is.
    enum Kind: UInt8, Sendable {
        case object, array, string, number, `true`, `false`, null
    }

    /// One value (or object key).
    struct Node: Sendable {
        var kind: Kind
        /// For strings: it has escapes. For numbers: it has a fraction or an exponent.
        var flag: Bool
        /// First byte of the value (for strings, after the opening quote).
        var start: UInt32
        /// One past the last byte (for strings, the closing quote).
        var end: UInt32
        /// The index of the next sibling: one past the last node of this value's subtree.
        var next: UInt32
        /// Elements of an array, members of an object.
        var count: UInt32
    }

    /// The deepest nesting accepted; Kubernetes objects stay far below it.
    static let maximumDepth = 512

    let bytes: [UInt8]
    private(set) var nodes: [Node]

    /// Parses `bytes`; throws `DecodingError.dataCorrupted` saying what is wrong and at which byte.
    init(parsing bytes: [UInt8]) throws(DecodingError) {
        guard bytes.count < Int(UInt32.max) else { throw Self.corrupted("the document is larger than 4 GiB") }
        self.bytes = bytes
        var nodes: [Node] = []
        nodes.reserveCapacity(bytes.count / 12)
        try bytes.withUnsafeBufferPointer { (input) throws(DecodingError) in
            var parser = Parser(input: input)
            try parser.parse(into: &nodes)
        }
        self.nodes = nodes
    }

    static func corrupted(_ message: String) -> DecodingError {
        .dataCorrupted(.init(codingPath: [], debugDescription: "The given data was not valid JSON: \(message)"))
    }

    private struct Parser {
        let input: UnsafeBufferPointer<UInt8>
        var position = 0

        enum Expectation {
            case value, valueOrEnd, key, keyOrEnd, separatorOrEnd, end
        }

        init(input: UnsafeBufferPointer<UInt8>) {
            self.input = input
        }

        mutating func parse(into nodes: inout [Node]) throws(DecodingError) {
            var open: [Int] = []
            var expectation = Expectation.value
            while true {
                skipWhitespace()
                if expectation == .end {
                    guard position == input.count else { throw failure("unexpected text after the document") }
                    return
                }
                guard position < input.count else { throw failure("unexpected end of the document") }
                let byte = input[position]
                switch expectation {
                case .value, .valueOrEnd:
                    if expectation == .valueOrEnd && byte == UInt8(ascii: "]") {
                        close(&open, &nodes)
                        expectation = open.isEmpty ? .end : .separatorOrEnd
                        continue
                    }
                    if let parent = open.last, nodes[parent].kind == .array { nodes[parent].count += 1 }
                    switch byte {
                    case UInt8(ascii: "{"), UInt8(ascii: "["):
                        guard open.count < JSONTape.maximumDepth else { throw failure("nesting is too deep") }
                        let isObject = byte == UInt8(ascii: "{")
                        open.append(nodes.count)
                        nodes.append(
                            Node(
                                kind: isObject ? .object : .array, flag: false, start: UInt32(position), end: 0,
                                next: 0,
                                count: 0))
                        position += 1
                        expectation = isObject ? .keyOrEnd : .valueOrEnd
                        continue
                    case UInt8(ascii: "\""):
                        nodes.append(try string())
                    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                        nodes.append(try number())
                    case UInt8(ascii: "t"):
                        nodes.append(try literal("true", .true))
                    case UInt8(ascii: "f"):
                        nodes.append(try literal("false", .false))
                    case UInt8(ascii: "n"):
                        nodes.append(try literal("null", .null))
                    default:
                        throw failure("unexpected character \(describe(byte))")
                    }
                    expectation = open.isEmpty ? .end : .separatorOrEnd
                case .key, .keyOrEnd:
                    if expectation == .keyOrEnd && byte == UInt8(ascii: "}") {
                        close(&open, &nodes)
                        expectation = open.isEmpty ? .end : .separatorOrEnd
                        continue
                    }
                    guard byte == UInt8(ascii: "\"") else { throw failure("expected a member name in quotes") }
                    nodes.append(try string())
                    nodes[open[open.count - 1]].count += 1
                    skipWhitespace()
                    guard position < input.count, input[position] == UInt8(ascii: ":") else {
                        throw failure("expected ':' after a member name")
                    }
                    position += 1
                    expectation = .value
                case .separatorOrEnd:
                    let isObject = nodes[open[open.count - 1]].kind == .object
                    if byte == UInt8(ascii: ",") {
                        position += 1
                        expectation = isObject ? .key : .value
                    } else if byte == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                        close(&open, &nodes)
                        expectation = open.isEmpty ? .end : .separatorOrEnd
                    } else {
                        throw failure("expected ',' or '\(isObject ? "}" : "]")'")
                    }
                case .end:
                    break
                }
            }
        }

        private mutating func close(_ open: inout [Int], _ nodes: inout [Node]) {
            let index = open.removeLast()
            position += 1
            nodes[index].end = UInt32(position)
            nodes[index].next = UInt32(nodes.count)
        }

        private mutating func skipWhitespace() {
            while position < input.count {
                switch input[position] {
                case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): position += 1
                default: return
                }
            }
        }

        private mutating func string() throws(DecodingError) -> Node {
            position += 1
            let start = position
            var escaped = false
            while position < input.count {
                let byte = input[position]
                if byte == UInt8(ascii: "\"") {
                    let node = Node(
                        kind: .string, flag: escaped, start: UInt32(start), end: UInt32(position),
                        next: 0, count: 0)
                    position += 1
                    return node
                }
                if byte < 0x20 { throw failure("unescaped control character in a string") }
                if byte == UInt8(ascii: "\\") {
                    escaped = true
                    position += 1
                    guard position < input.count else { break }
                    switch input[position] {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                        UInt8(ascii: "f"),
                        UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        position += 1
                    case UInt8(ascii: "u"):
                        guard position + 4 < input.count else { break }
                        for offset in 1...4 where JSONTape.hexValue(input[position + offset]) == nil {
                            throw failure("invalid \\u escape")
                        }
                        position += 5
                    default:
                        throw failure("invalid escape \\\(describe(input[position]))")
                    }
                    continue
                }
                position += 1
            }
            throw failure("unterminated string")
        }

        private mutating func number() throws(DecodingError) -> Node {
            let start = position
            var fractional = false
            if input[position] == UInt8(ascii: "-") { position += 1 }
            guard position < input.count, isDigit(input[position]) else { throw failure("invalid number") }
            if input[position] == UInt8(ascii: "0") {
                position += 1
            } else {
                while position < input.count, isDigit(input[position]) { position += 1 }
            }
            if position < input.count, input[position] == UInt8(ascii: ".") {
                fractional = true
                position += 1
                guard position < input.count, isDigit(input[position]) else { throw failure("invalid number") }
                while position < input.count, isDigit(input[position]) { position += 1 }
            }
            if position < input.count, input[position] == UInt8(ascii: "e") || input[position] == UInt8(ascii: "E") {
                fractional = true
                position += 1
                if position < input.count, input[position] == UInt8(ascii: "+") || input[position] == UInt8(ascii: "-")
                {
                    position += 1
                }
                guard position < input.count, isDigit(input[position]) else { throw failure("invalid number") }
                while position < input.count, isDigit(input[position]) { position += 1 }
            }
            return Node(
                kind: .number, flag: fractional, start: UInt32(start), end: UInt32(position), next: 0, count: 0)
        }

        private mutating func literal(_ word: StaticString, _ kind: Kind) throws(DecodingError) -> Node {
            let start = position
            let count = word.utf8CodeUnitCount
            guard position + count <= input.count else { throw failure("unexpected end of the document") }
            for offset in 0..<count where input[position + offset] != word.utf8Start[offset] {
                throw failure("unexpected character \(describe(input[position + offset]))")
            }
            position += count
            return Node(kind: kind, flag: false, start: UInt32(start), end: UInt32(position), next: 0, count: 0)
        }

        private func isDigit(_ byte: UInt8) -> Bool {
            byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
        }

        private func describe(_ byte: UInt8) -> String {
            byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "0x" + String(byte, radix: 16)
        }

        private func failure(_ message: String) -> DecodingError {
            JSONTape.corrupted("\(message) at byte \(position)")
        }
    }

    /// The value of a hexadecimal digit.
    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
