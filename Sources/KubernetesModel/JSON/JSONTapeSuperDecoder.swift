/// A `Decoder` for `superDecoder()`: a separate positioned view of the same document (class hierarchies only).
struct JSONTapeSuperDecoder: Decoder {
    let decoder: JSONTapeDecoder
    let index: Int
    let path: JSONCodingPath

    init(decoder: JSONTapeDecoder, index: Int, path: JSONCodingPath) throws {
        self.decoder = decoder
        self.index = index
        self.path = path
    }

    var codingPath: [any CodingKey] { path.keys }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        try decoder.keyedContainer(at: index, path: path, keyedBy: type)
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try decoder.unkeyedContainer(at: index, path: path)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        JSONTapeSingleValueContainer(decoder: decoder, index: index, path: path)
    }
}
