/// An array of a `JSONTape`, read in order; a failed `decode` leaves the position where it was.
struct JSONTapeUnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: JSONTapeDecoder
    let array: Int
    let path: JSONCodingPath
    private(set) var currentIndex = 0
    private var element: Int

    init(decoder: JSONTapeDecoder, array: Int, path: JSONCodingPath) {
        self.decoder = decoder
        self.array = array
        self.path = path
        element = array + 1
    }

    var codingPath: [any CodingKey] { path.keys }
    var count: Int? { Int(decoder.tape.nodes[array].count) }
    var isAtEnd: Bool { currentIndex >= count ?? 0 }

    private func current() throws -> Int {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                Any.self,
                .init(
                    codingPath: path.appending(index: currentIndex).keys,
                    debugDescription: "Unkeyed container is at end."))
        }
        return element
    }

    private mutating func advance() {
        element = decoder.nextSibling(of: element)
        currentIndex += 1
    }

    mutating func decodeNil() throws -> Bool {
        guard decoder.isNull(at: try current()) else { return false }
        advance()
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool {
        let value = try decoder.bool(at: try current(), path: path.appending(index: currentIndex))
        advance()
        return value
    }

    mutating func decode(_ type: String.Type) throws -> String {
        let value = try decoder.string(at: try current(), path: path.appending(index: currentIndex))
        advance()
        return value
    }

    mutating func decode(_ type: Double.Type) throws -> Double {
        let value = try decoder.floatingPoint(type, at: try current(), path: path.appending(index: currentIndex))
        advance()
        return value
    }

    mutating func decode(_ type: Float.Type) throws -> Float {
        let value = try decoder.floatingPoint(type, at: try current(), path: path.appending(index: currentIndex))
        advance()
        return value
    }

    mutating func decode(_ type: Int.Type) throws -> Int {
        try decodeInteger(type)
    }

    mutating func decode(_ type: Int8.Type) throws -> Int8 {
        try decodeInteger(type)
    }

    mutating func decode(_ type: Int16.Type) throws -> Int16 {
        try decodeInteger(type)
    }

    mutating func decode(_ type: Int32.Type) throws -> Int32 {
        try decodeInteger(type)
    }

    mutating func decode(_ type: Int64.Type) throws -> Int64 {
        try decodeInteger(type)
    }

    mutating func decode(_ type: UInt.Type) throws -> UInt {
        try decodeInteger(type)
    }

    mutating func decode(_ type: UInt8.Type) throws -> UInt8 {
        try decodeInteger(type)
    }

    mutating func decode(_ type: UInt16.Type) throws -> UInt16 {
        try decodeInteger(type)
    }

    mutating func decode(_ type: UInt32.Type) throws -> UInt32 {
        try decodeInteger(type)
    }

    mutating func decode(_ type: UInt64.Type) throws -> UInt64 {
        try decodeInteger(type)
    }

    private mutating func decodeInteger<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        let value = try decoder.integer(type, at: try current(), path: path.appending(index: currentIndex))
        advance()
        return value
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let value = try decoder.unwrap(type, at: try current(), path: path.appending(index: currentIndex))
        advance()
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        let container = try decoder.keyedContainer(
            at: try current(), path: path.appending(index: currentIndex), keyedBy: type)
        advance()
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let container = try decoder.unkeyedContainer(at: try current(), path: path.appending(index: currentIndex))
        advance()
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let decoder = try JSONTapeSuperDecoder(
            decoder: decoder, index: try current(), path: path.appending(index: currentIndex))
        advance()
        return decoder
    }
}
