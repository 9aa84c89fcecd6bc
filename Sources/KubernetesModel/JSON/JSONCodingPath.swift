/// Where a value sits in a document, as a chain built only as deep as decoding goes; turned into coding keys only
/// for an error.
indirect enum JSONCodingPath {
    case root
    case key(any CodingKey, JSONCodingPath)
    case index(Int, JSONCodingPath)

    /// The path as `DecodingError` wants it, outermost first.
    var keys: [any CodingKey] {
        var keys: [any CodingKey] = []
        var node = self
        while true {
            switch node {
            case .root:
                return keys.reversed()
            case .key(let key, let parent):
                keys.append(key)
                node = parent
            case .index(let index, let parent):
                keys.append(JSONIndexKey(index))
                node = parent
            }
        }
    }

    func appending(_ key: any CodingKey) -> JSONCodingPath {
        .key(key, self)
    }

    func appending(index: Int) -> JSONCodingPath {
        .index(index, self)
    }
}

/// The coding key of an array element, named as Foundation names it ("Index 3").
struct JSONIndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }

    init(_ index: Int) {
        intValue = index
    }

    init?(stringValue: String) {
        nil
    }

    init?(intValue: Int) {
        self.intValue = intValue
    }
}
