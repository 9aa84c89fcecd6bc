/// An IPv4 or IPv6 address as BGP carries it (next hops, prefixes, aggregators).
///
/// Both families are held as a 128-bit big-endian value in two words, an IPv4 address in the top
/// 32 bits, so that prefix masking and NLRI octets work alike for both and no heap is used.
public struct BGPAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The address family.
    public enum Family: Hashable, Sendable, Comparable {
        case ipv4
        case ipv6

        /// Octets in an address of this family.
        public var byteCount: Int { self == .ipv4 ? 4 : 16 }
        /// Bits in an address of this family, the longest prefix length.
        public var bitCount: Int { self == .ipv4 ? 32 : 128 }
    }

    // The words first and the family last, so an address takes 17 bytes and a prefix 18: a
    // route in a change list is 64 bytes instead of 96.
    let high: UInt64
    let low: UInt64
    /// The address family.
    public let family: Family

    init(family: Family, high: UInt64, low: UInt64) {
        self.family = family
        self.high = family == .ipv4 ? high & 0xffff_ffff_0000_0000 : high
        self.low = family == .ipv4 ? 0 : low
    }

    /// An IPv4 address from its 32-bit value (10.0.0.1 is 0x0a00_0001).
    public init(ipv4 value: UInt32) {
        self.init(family: .ipv4, high: UInt64(value) << 32, low: 0)
    }

    /// An address from its 4 (IPv4) or 16 (IPv6) network-order octets; nil for any other count.
    public init?(bytes: some Collection<UInt8>) {
        let family: Family
        switch bytes.count {
        case 4: family = .ipv4
        case 16: family = .ipv6
        default: return nil
        }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, byte) in bytes.enumerated() {
            if index < 8 {
                high |= UInt64(byte) << (56 - 8 * index)
            } else {
                low |= UInt64(byte) << (56 - 8 * (index - 8))
            }
        }
        self.init(family: family, high: high, low: low)
    }

    /// The all-zero address of a family.
    public static func zero(_ family: Family) -> BGPAddress {
        BGPAddress(family: family, high: 0, low: 0)
    }

    /// The network-order octets.
    public var bytes: [UInt8] {
        (0..<family.byteCount).map(byte)
    }

    /// The 32-bit value of an IPv4 address; nil for IPv6.
    public var ipv4Value: UInt32? {
        family == .ipv4 ? UInt32(truncatingIfNeeded: high >> 32) : nil
    }

    /// Octet `index` (0 is the first on the wire).
    func byte(_ index: Int) -> UInt8 {
        index < 8
            ? UInt8(truncatingIfNeeded: high >> (56 - 8 * index))
            : UInt8(truncatingIfNeeded: low >> (56 - 8 * (index - 8)))
    }

    /// This address with every bit after the first `length` cleared.
    func masked(to length: Int) -> BGPAddress {
        func mask(_ bits: Int) -> UInt64 { bits <= 0 ? 0 : bits >= 64 ? .max : ~(UInt64.max >> bits) }
        return BGPAddress(family: family, high: high & mask(length), low: low & mask(length - 64))
    }

    /// Whether any bit after the first `length` is set.
    func hasBits(after length: Int) -> Bool {
        masked(to: length) != self
    }

    /// Whether this can be a route's next hop: not unspecified, loopback, multicast or (IPv4)
    /// "this network" or reserved class E, which RFC 4271 §6.3 calls syntactically incorrect.
    public var isUsableNextHop: Bool {
        switch family {
        case .ipv4:
            let first = high >> 56
            return first != 0 && first != 127 && first < 224
        case .ipv6:
            let unspecified = high == 0 && low == 0
            let loopback = high == 0 && low == 1
            return !unspecified && !loopback && high >> 56 != 0xff
        }
    }

    /// Whether this is an IPv6 link-local unicast address (fe80::/10).
    public var isIPv6LinkLocal: Bool {
        family == .ipv6 && high >> 54 == 0x3fa
    }

    /// Orders IPv4 before IPv6, then numerically.
    public static func < (lhs: BGPAddress, rhs: BGPAddress) -> Bool {
        (lhs.family, lhs.high, lhs.low) < (rhs.family, rhs.high, rhs.low)
    }

    /// Dotted quad for IPv4; RFC 5952 form for IPv6 (lower case, longest zero run as "::").
    public var description: String {
        switch family {
        case .ipv4:
            return (0..<4).map { String(byte($0)) }.joined(separator: ".")
        case .ipv6:
            let groups = (0..<8).map { UInt16(byte(2 * $0)) << 8 | UInt16(byte(2 * $0 + 1)) }
            var bestStart = -1
            var bestLength = 1
            var index = 0
            while index < 8 {
                guard groups[index] == 0 else {
                    index += 1
                    continue
                }
                let start = index
                while index < 8, groups[index] == 0 { index += 1 }
                if index - start > bestLength {
                    bestStart = start
                    bestLength = index - start
                }
            }
            func hex(_ range: Range<Int>) -> String {
                range.map { String(groups[$0], radix: 16) }.joined(separator: ":")
            }
            guard bestStart >= 0 else { return hex(0..<8) }
            return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
        }
    }

    /// Parses "10.1.2.3" or an IPv6 address ("2001:db8::1", "::ffff:10.1.2.3"); nil when malformed.
    public init?(_ text: some StringProtocol) {
        if !text.contains(":") {
            guard let value = Self.parseIPv4(Substring(text)) else { return nil }
            self.init(ipv4: value)
            return
        }
        guard let bytes = Self.parseIPv6(Substring(text)) else { return nil }
        self.init(bytes: bytes)
    }

    private static func parseIPv4(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }),
                let octet = UInt8(part)
            else { return nil }
            value = value << 8 | UInt32(octet)
        }
        return value
    }

    private static func parseIPv6(_ text: Substring) -> [UInt8]? {
        func groups(_ part: Substring) -> [UInt8]? {
            guard !part.isEmpty else { return [] }
            var bytes: [UInt8] = []
            let fields = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, field) in fields.enumerated() {
                if index == fields.count - 1, field.contains(".") {
                    guard let value = parseIPv4(field) else { return nil }
                    bytes += (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) }
                    continue
                }
                guard (1...4).contains(field.count), let group = UInt16(field, radix: 16) else { return nil }
                bytes += [UInt8(group >> 8), UInt8(group & 0xff)]
            }
            return bytes
        }
        let halves = text.split(separator: "::", maxSplits: 2, omittingEmptySubsequences: false)
        switch halves.count {
        case 1:
            guard let bytes = groups(halves[0]), bytes.count == 16 else { return nil }
            return bytes
        case 2:
            guard let head = groups(halves[0]), let tail = groups(halves[1]), head.count + tail.count <= 14
            else { return nil }
            return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
        default:
            return nil
        }
    }
}
