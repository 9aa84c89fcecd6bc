import Foundation

/// The JSON the listing commands print with `-o json`: pretty, with sorted keys, so scripts and
/// diffs see the same text for the same state.
enum JSONListing {
    static func render(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }
}
