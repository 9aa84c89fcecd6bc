/// A prefix with a range of lengths, like BIRD's `10.0.0.0/8{16,24}`: it matches every prefix
/// inside 10.0.0.0/8 whose length is 16 to 24.
public struct BGPPrefixPattern: Hashable, Sendable, CustomStringConvertible {
    /// The covering prefix.
    public let prefix: BGPPrefix
    /// The lengths matched, each at least the covering prefix's.
    public let lengths: ClosedRange<UInt8>

    /// A pattern for prefixes inside `prefix` with lengths `minimumLength...maximumLength` (both
    /// default to the prefix's own length, an exact match); nil when the range is empty, shorter
    /// than the prefix or longer than the family allows.
    public init?(_ prefix: BGPPrefix, minimumLength: Int? = nil, maximumLength: Int? = nil) {
        let low = minimumLength ?? Int(prefix.length)
        let high = maximumLength ?? max(low, Int(prefix.length))
        guard low >= Int(prefix.length), low <= high, high <= prefix.family.bitCount else { return nil }
        self.prefix = prefix
        self.lengths = UInt8(low)...UInt8(high)
    }

    /// Parses BIRD's forms: "10.0.0.0/8" (exactly), "10.0.0.0/8+" (it and everything inside),
    /// "10.0.0.0/8-" (it and everything covering it is not supported, so nil), "10.0.0.0/8{16,24}".
    public init?(_ text: some StringProtocol) {
        var body = Substring(text)
        var low: Int?
        var high: Int?
        if body.hasSuffix("+") {
            body = body.dropLast()
            guard let prefix = BGPPrefix(body) else { return nil }
            low = Int(prefix.length)
            high = prefix.family.bitCount
        } else if body.hasSuffix("}") {
            guard let open = body.firstIndex(of: "{") else { return nil }
            let bounds = body[body.index(after: open)..<body.index(before: body.endIndex)]
                .split(separator: ",", omittingEmptySubsequences: false)
            guard bounds.count == 2, let first = Int(bounds[0]), let second = Int(bounds[1]) else { return nil }
            low = first
            high = second
            body = body[..<open]
        }
        guard let prefix = BGPPrefix(body) else { return nil }
        self.init(prefix, minimumLength: low, maximumLength: high)
    }

    /// Whether `candidate` lies inside the covering prefix with a length in range.
    public func matches(_ candidate: BGPPrefix) -> Bool {
        candidate.family == prefix.family && lengths.contains(candidate.length)
            && candidate.address.masked(to: Int(prefix.length)) == prefix.address
    }

    /// "10.0.0.0/8{16,24}", or "10.0.0.0/8" for an exact match.
    public var description: String {
        lengths == prefix.length...prefix.length
            ? "\(prefix)" : "\(prefix){\(lengths.lowerBound),\(lengths.upperBound)}"
    }
}
