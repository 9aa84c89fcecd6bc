/// An IPv4 or IPv6 prefix: an address and a length, with every host bit zero.
///
/// Host bits are masked when a prefix is made from an address, so two spellings of one prefix are
/// equal and hash alike; the NLRI decoder relies on this, since RFC 4271 §4.3 calls the trailing
/// bits of the last octet irrelevant. Parsing text is stricter: "10.1.0.5/24" is refused, because
/// a person who wrote it probably meant something else.
public struct BGPPrefix: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The network address, host bits zero.
    public let address: BGPAddress
    /// The prefix length in bits.
    public let length: UInt8

    /// A prefix of `length` bits of `address`, host bits cleared; nil when the length is too long.
    public init?(address: BGPAddress, length: Int) {
        guard (0...address.family.bitCount).contains(length) else { return nil }
        self.address = address.masked(to: length)
        self.length = UInt8(length)
    }

    /// Parses "10.1.0.0/24" or "2001:db8::/64"; nil when malformed or when host bits are set.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), parts[1].count <= 3,
            let length = Int(parts[1]), let address = BGPAddress(parts[0]), !address.hasBits(after: length)
        else { return nil }
        self.init(address: address, length: length)
    }

    /// The address family.
    public var family: BGPAddress.Family { address.family }

    /// "10.1.0.0/24", "2001:db8::/64".
    public var description: String { "\(address)/\(length)" }

    /// Orders by address, then by length.
    public static func < (lhs: BGPPrefix, rhs: BGPPrefix) -> Bool {
        (lhs.address, lhs.length) < (rhs.address, rhs.length)
    }

    /// Octets this prefix takes in an NLRI field: the length octet and the significant octets.
    public var nlriByteCount: Int { 1 + (Int(length) + 7) / 8 }

    /// Writes the NLRI encoding: the length, then the fewest octets that hold it.
    func writeNLRI(into writer: inout ByteWriter) {
        writer.writeUInt8(length)
        for index in 0..<(Int(length) + 7) / 8 { writer.writeUInt8(address.byte(index)) }
    }

    /// Why an NLRI field could not be read.
    enum NLRIProblem: Error {
        case lengthTooLong(Int, family: BGPAddress.Family)
        case truncated(length: Int)

        var text: String {
            switch self {
            case .lengthTooLong(let length, let family):
                "prefix length \(length) is longer than \(family.bitCount)"
            case .truncated(let length):
                "a /\(length) prefix runs past the end of its field"
            }
        }
    }

    /// Reads a whole NLRI field of one family (RFC 4271 §4.3, RFC 4760 §5).
    static func readNLRI(_ bytes: ArraySlice<UInt8>, family: BGPAddress.Family) throws(NLRIProblem) -> [BGPPrefix] {
        var prefixes: [BGPPrefix] = []
        prefixes.reserveCapacity(bytes.count / 4)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let length = Int(bytes[index])
            guard length <= family.bitCount else { throw .lengthTooLong(length, family: family) }
            let octets = (length + 7) / 8
            guard bytes.endIndex - index - 1 >= octets else { throw .truncated(length: length) }
            var high: UInt64 = 0
            var low: UInt64 = 0
            for offset in 0..<octets {
                let byte = UInt64(bytes[index + 1 + offset])
                if offset < 8 { high |= byte << (56 - 8 * offset) } else { low |= byte << (56 - 8 * (offset - 8)) }
            }
            let address = BGPAddress(family: family, high: high, low: low).masked(to: length)
            prefixes.append(BGPPrefix(unchecked: address, length: UInt8(length)))
            index += 1 + octets
        }
        return prefixes
    }

    /// A prefix whose address already has its host bits clear.
    init(unchecked address: BGPAddress, length: UInt8) {
        self.address = address
        self.length = length
    }
}
