/// Any JSON value, read and thrown away: moves an unkeyed container past an element that decodes as nothing else.
struct SkippedValue: Decodable {
    init(from decoder: any Decoder) throws {}
}
