/// A decodable type that says what JSON it expects, for mismatch messages ("a number or a string").
protocol DecodingDescribed {
    static var expectedDescription: String { get }
}
