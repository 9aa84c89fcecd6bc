import Foundation

/// Decodes API server JSON into Codable types several times faster than Foundation's `JSONDecoder`, with the same
/// `DecodingError`s (type mismatch, missing key, null, corrupted data) and coding paths.
///
/// The document is parsed once into a `JSONTape`; keyed containers look members up in place (no dictionary per
/// object), and the common leaf types (strings, integers, booleans, string lists and string maps) are read
/// without going through `Decodable`. An unkeyed container does not move past an element that failed to decode,
/// which `ResourceList` relies on to name and skip a malformed object.
package enum KubernetesJSONDecoder {
    /// Decodes `type` from `bytes`.
    package static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        let tape = try JSONTape(parsing: bytes)
        let decoder = JSONTapeDecoder(tape: tape)
        return try decoder.unwrap(type, at: 0, path: .root)
    }
}

/// The `Decoder` over a `JSONTape`: one instance per document, repositioned for each nested value.
final class JSONTapeDecoder: Decoder {
    let tape: JSONTape
    private var index = 0
    private var path = JSONCodingPath.root

    var codingPath: [any CodingKey] { path.keys }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(tape: JSONTape) {
        self.tape = tape
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        try keyedContainer(at: index, path: path, keyedBy: type)
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try unkeyedContainer(at: index, path: path)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        JSONTapeSingleValueContainer(decoder: self, index: index, path: path)
    }

    func keyedContainer<Key: CodingKey>(
        at index: Int, path: JSONCodingPath, keyedBy type: Key.Type
    ) throws -> KeyedDecodingContainer<Key> {
        let node = tape.nodes[index]
        guard node.kind == .object else { throw mismatch([String: Any].self, node, path) }
        return KeyedDecodingContainer(JSONTapeKeyedContainer<Key>(decoder: self, object: index, path: path))
    }

    func unkeyedContainer(at index: Int, path: JSONCodingPath) throws -> JSONTapeUnkeyedContainer {
        let node = tape.nodes[index]
        guard node.kind == .array else { throw mismatch([Any].self, node, path) }
        return JSONTapeUnkeyedContainer(decoder: self, array: index, path: path)
    }

    /// Decodes the value at `index`, with fast paths for the leaf types Kubernetes objects are made of.
    func unwrap<T: Decodable>(_ type: T.Type, at index: Int, path: JSONCodingPath) throws -> T {
        if T.self == String.self { return try string(at: index, path: path) as! T }
        if T.self == Int.self { return try integer(Int.self, at: index, path: path) as! T }
        if T.self == Bool.self { return try bool(at: index, path: path) as! T }
        if T.self == [String].self { return try stringList(at: index, path: path) as! T }
        if T.self == [String: String].self { return try stringMap(at: index, path: path) as! T }
        let savedIndex = self.index
        let savedPath = self.path
        self.index = index
        self.path = path
        defer {
            self.index = savedIndex
            self.path = savedPath
        }
        return try T(from: self)
    }

    // MARK: - Leaves

    func isNull(at index: Int) -> Bool {
        tape.nodes[index].kind == .null
    }

    func string(at index: Int, path: JSONCodingPath) throws -> String {
        let node = tape.nodes[index]
        guard node.kind == .string else { throw mismatch(String.self, node, path) }
        return text(of: node)
    }

    func bool(at index: Int, path: JSONCodingPath) throws -> Bool {
        let node = tape.nodes[index]
        switch node.kind {
        case .true: return true
        case .false: return false
        default: throw mismatch(Bool.self, node, path)
        }
    }

    func integer<T: FixedWidthInteger>(_ type: T.Type, at index: Int, path: JSONCodingPath) throws -> T {
        let node = tape.nodes[index]
        guard node.kind == .number else { throw mismatch(T.self, node, path) }
        if !node.flag, let value = parseInteger(T.self, node) { return value }
        // A fraction, an exponent or an overflow: accept only an integral value that fits, as Foundation does.
        if let value = Double(literal(of: node)), let exact = T(exactly: value) { return exact }
        throw DecodingError.dataCorrupted(
            .init(
                codingPath: path.keys,
                debugDescription: "Parsed JSON number <\(literal(of: node))> does not fit in \(T.self)."))
    }

    func floatingPoint<T: BinaryFloatingPoint & LosslessStringConvertible>(
        _ type: T.Type, at index: Int, path: JSONCodingPath
    ) throws -> T {
        let node = tape.nodes[index]
        guard node.kind == .number else { throw mismatch(T.self, node, path) }
        guard let value = T(literal(of: node)), value.isFinite else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: path.keys,
                    debugDescription: "Parsed JSON number <\(literal(of: node))> does not fit in \(T.self)."))
        }
        return value
    }

    private func stringList(at index: Int, path: JSONCodingPath) throws -> [String] {
        let node = tape.nodes[index]
        guard node.kind == .array else { throw mismatch([String].self, node, path) }
        var result: [String] = []
        result.reserveCapacity(Int(node.count))
        var element = index + 1
        for position in 0..<Int(node.count) {
            let item = tape.nodes[element]
            guard item.kind == .string else {
                if item.kind == .null { throw nullValue(String.self, path.appending(index: position)) }
                throw mismatch(String.self, item, path.appending(index: position))
            }
            result.append(text(of: item))
            element += 1
        }
        return result
    }

    private func stringMap(at index: Int, path: JSONCodingPath) throws -> [String: String] {
        let node = tape.nodes[index]
        guard node.kind == .object else { throw mismatch([String: String].self, node, path) }
        var result: [String: String] = [:]
        result.reserveCapacity(Int(node.count))
        var member = index + 1
        for _ in 0..<Int(node.count) {
            let key = text(of: tape.nodes[member])
            let value = tape.nodes[member + 1]
            guard value.kind == .string else {
                let valuePath = path.appending(JSONMemberKey(key))
                if value.kind == .null { throw nullValue(String.self, valuePath) }
                throw mismatch(String.self, value, valuePath)
            }
            result[key] = text(of: value)
            member = nextSibling(of: member + 1)
        }
        return result
    }

    // MARK: - Tape access

    /// The index of the node after the value at `index` and its subtree.
    func nextSibling(of index: Int) -> Int {
        let node = tape.nodes[index]
        return node.kind == .object || node.kind == .array ? Int(node.next) : index + 1
    }

    /// Whether the key node at `index` spells `name`.
    func key(at index: Int, equals name: String) -> Bool {
        let node = tape.nodes[index]
        if node.flag { return text(of: node) == name }
        let length = Int(node.end - node.start)
        var name = name
        return name.withUTF8 { utf8 in
            guard utf8.count == length else { return false }
            return tape.bytes.withUnsafeBufferPointer { bytes in
                length == 0 || memcmp(bytes.baseAddress! + Int(node.start), utf8.baseAddress!, length) == 0
            }
        }
    }

    /// The text of a string node, escapes resolved.
    func text(of node: JSONTape.Node) -> String {
        tape.bytes.withUnsafeBufferPointer { bytes in
            let raw = UnsafeBufferPointer(rebasing: bytes[Int(node.start)..<Int(node.end)])
            return node.flag ? Self.unescape(raw) : String(decoding: raw, as: UTF8.self)
        }
    }

    private func literal(of node: JSONTape.Node) -> String {
        tape.bytes.withUnsafeBufferPointer { bytes in
            String(decoding: UnsafeBufferPointer(rebasing: bytes[Int(node.start)..<Int(node.end)]), as: UTF8.self)
        }
    }

    private func parseInteger<T: FixedWidthInteger>(_ type: T.Type, _ node: JSONTape.Node) -> T? {
        tape.bytes.withUnsafeBufferPointer { bytes in
            var position = Int(node.start)
            let end = Int(node.end)
            let negative = bytes[position] == UInt8(ascii: "-")
            if negative { position += 1 }
            var value: T = 0
            while position < end {
                let digit = T(bytes[position] &- UInt8(ascii: "0"))
                let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (next, overflow2) =
                    negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
                if overflow1 || overflow2 { return nil }
                value = next
                position += 1
            }
            return value
        }
    }

    private static func unescape(_ raw: UnsafeBufferPointer<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(raw.count)
        var position = 0
        func hex4(_ at: Int) -> UInt32 {
            guard at + 4 <= raw.count else { return 0xFFFD }
            var value: UInt32 = 0
            for offset in 0..<4 { value = value << 4 | (JSONTape.hexValue(raw[at + offset]) ?? 0) }
            return value
        }
        func append(_ scalar: UInt32) {
            let character = Unicode.Scalar(scalar) ?? "\u{FFFD}"
            output.append(contentsOf: String(Character(character)).utf8)
        }
        while position < raw.count {
            let byte = raw[position]
            guard byte == UInt8(ascii: "\\"), position + 1 < raw.count else {
                output.append(byte)
                position += 1
                continue
            }
            let escape = raw[position + 1]
            position += 2
            switch escape {
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex4(position)
                position += 4
                if (0xD800..<0xDC00).contains(scalar), position + 6 <= raw.count,
                    raw[position] == UInt8(ascii: "\\"), raw[position + 1] == UInt8(ascii: "u")
                {
                    let low = hex4(position + 2)
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        position += 6
                    }
                }
                append(scalar)
            default: output.append(escape)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    // MARK: - Errors

    func mismatch(_ type: Any.Type, _ node: JSONTape.Node, _ path: JSONCodingPath) -> DecodingError {
        if node.kind == .null { return nullValue(type, path) }
        let found: String
        switch node.kind {
        case .object: found = "a dictionary"
        case .array: found = "an array"
        case .string: found = "a string"
        case .number: found = "number"
        case .true, .false: found = "bool"
        case .null: found = "null"
        }
        return DecodingError.typeMismatch(
            type,
            .init(codingPath: path.keys, debugDescription: "Expected to decode \(type) but found \(found) instead."))
    }

    func nullValue(_ type: Any.Type, _ path: JSONCodingPath) -> DecodingError {
        DecodingError.valueNotFound(
            type, .init(codingPath: path.keys, debugDescription: "Expected \(type) value but found null instead."))
    }
}

/// The coding key of an object member read without a `CodingKey` type (string maps).
struct JSONMemberKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(_ name: String) {
        stringValue = name
    }

    init?(stringValue: String) {
        self.stringValue = stringValue
    }

    init?(intValue: Int) {
        nil
    }
}
