/// An address with a prefix length; as a route destination its host bits are zero.
public struct IPPrefix: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The address part.
    public let address: IPAddress
    /// The prefix length in bits.
    public let length: Int

    /// Why a prefix string was rejected.
    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case malformed(String)
        case lengthOutOfRange(String, max: Int)
        case hostBitsSet(String, expected: String)

        public var description: String {
            switch self {
            case .malformed(let text): "'\(text)' is not an IP prefix (expected ADDRESS/LENGTH)"
            case .lengthOutOfRange(let text, let max): "'\(text)': prefix length must be 0...\(max)"
            case .hostBitsSet(let text, let expected): "'\(text)' has host bits set (did you mean \(expected)?)"
            }
        }
    }

    /// Builds a prefix without checking host bits; `address` keeps them.
    public init(address: IPAddress, length: Int) {
        self.address = address
        self.length = length
    }

    /// Parses "ADDRESS/LENGTH" (or a bare address as a host prefix). Host bits set are refused,
    /// or cleared with `clearingHostBits`, as Go's `ParseCIDR` (and so Kubernetes) reads a CIDR.
    public init(parsing text: String, clearingHostBits: Bool = false) throws(ParseError) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else { throw .malformed(text) }
        let width = address.family.bitWidth
        var length = width
        if parts.count == 2 {
            guard let parsed = Int(parts[1]) else { throw .malformed(text) }
            guard (0...width).contains(parsed) else { throw .lengthOutOfRange(text, max: width) }
            length = parsed
        }
        let network = address.masked(to: length)
        guard network == address || clearingHostBits else {
            throw .hostBitsSet(text, expected: "\(network)/\(length)")
        }
        self.init(address: network, length: length)
    }

    /// The family of the address.
    public var family: AddressFamily { address.family }

    /// The prefix with host bits cleared.
    public var network: IPPrefix { IPPrefix(address: address.masked(to: length), length: length) }

    /// Whether `other` lies inside this prefix.
    public func contains(_ other: IPAddress) -> Bool {
        other.family == family && other.masked(to: length) == address.masked(to: length)
    }

    /// Whether the two prefixes share an address: one contains the other's network.
    public func overlaps(_ other: IPPrefix) -> Bool {
        other.family == family && (contains(other.address) || other.contains(address))
    }

    public var description: String { "\(address)/\(length)" }

    public static func < (lhs: IPPrefix, rhs: IPPrefix) -> Bool {
        (lhs.address, lhs.length) < (rhs.address, rhs.length)
    }
}
