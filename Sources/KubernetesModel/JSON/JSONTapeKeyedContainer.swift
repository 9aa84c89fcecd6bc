/// An object of a `JSONTape`, searched in place for each key.
struct JSONTapeKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: JSONTapeDecoder
    let object: Int
    let path: JSONCodingPath

    var codingPath: [any CodingKey] { path.keys }

    var allKeys: [Key] {
        var keys: [Key] = []
        var member = object + 1
        for _ in 0..<Int(decoder.tape.nodes[object].count) {
            if let key = Key(stringValue: decoder.text(of: decoder.tape.nodes[member])) { keys.append(key) }
            member = decoder.nextSibling(of: member + 1)
        }
        return keys
    }

    /// The index of the value of `key`, nil when the object has no such member.
    private func find(_ key: Key) -> Int? {
        let name = key.stringValue
        var member = object + 1
        for _ in 0..<Int(decoder.tape.nodes[object].count) {
            if decoder.key(at: member, equals: name) { return member + 1 }
            member = decoder.nextSibling(of: member + 1)
        }
        return nil
    }

    private func require(_ key: Key) throws -> Int {
        guard let index = find(key) else {
            throw DecodingError.keyNotFound(
                key, .init(codingPath: path.keys, debugDescription: "No value associated with key \(key.stringValue)."))
        }
        return index
    }

    /// The value of `key` when present and not null.
    private func present(_ key: Key) -> Int? {
        guard let index = find(key), !decoder.isNull(at: index) else { return nil }
        return index
    }

    func contains(_ key: Key) -> Bool {
        find(key) != nil
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        decoder.isNull(at: try require(key))
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        try decoder.bool(at: try require(key), path: path.appending(key))
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        try decoder.string(at: try require(key), path: path.appending(key))
    }

    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        try decoder.floatingPoint(type, at: try require(key), path: path.appending(key))
    }

    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        try decoder.floatingPoint(type, at: try require(key), path: path.appending(key))
    }

    func decode(_ type: Int.Type, forKey key: Key) throws -> Int {
        try decoder.integer(type, at: try require(key), path: path.appending(key))
    }

    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 {
        try decoder.integer(type, at: try require(key), path: path.appending(key))
    }

    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 {
        try decoder.integer(type, at: try require(key), path: path.appending(key))
    }

    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 {
        try decoder.integer(type, at: try require(key), path: path.appending(key))
    }

    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 {
        try decoder.integer(type, at: try require(key), path: path.appending(key))
    }

    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt {
        try decoder.integer(type, at: try require(key), path: path.appending(key))
    }

    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 {
        try decoder.integer(type, at: try require(key), path: path.appending(key))
    }

    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 {
        try decoder.integer(type, at: try require(key), path: path.appending(key))
    }

    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 {
        try decoder.integer(type, at: try require(key), path: path.appending(key))
    }

    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 {
        try decoder.integer(type, at: try require(key), path: path.appending(key))
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder.unwrap(type, at: try require(key), path: path.appending(key))
    }

    // One lookup per optional field; the protocol's defaults would search three times (contains, nil, decode).

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        guard let index = present(key) else { return nil }
        return try decoder.bool(at: index, path: path.appending(key))
    }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let index = present(key) else { return nil }
        return try decoder.string(at: index, path: path.appending(key))
    }

    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        guard let index = present(key) else { return nil }
        return try decoder.integer(type, at: index, path: path.appending(key))
    }

    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? {
        guard let index = present(key) else { return nil }
        return try decoder.integer(type, at: index, path: path.appending(key))
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let index = present(key) else { return nil }
        return try decoder.unwrap(type, at: index, path: path.appending(key))
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder.keyedContainer(at: try require(key), path: path.appending(key), keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder.unkeyedContainer(at: try require(key), path: path.appending(key))
    }

    func superDecoder() throws -> any Decoder {
        try JSONTapeSuperDecoder(decoder: decoder, index: object, path: path)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        try JSONTapeSuperDecoder(decoder: decoder, index: try require(key), path: path.appending(key))
    }
}
