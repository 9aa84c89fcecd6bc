#if canImport(Glibc)
    import Glibc
#endif

/// An IPv4 or IPv6 address held by value, without allocation.
public enum IPAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    case v4(UInt32)
    case v6(UInt64, UInt64)

    /// Parses the textual form ("10.0.0.1", "fd00::1"); nil when it is neither.
    public init?(_ text: some StringProtocol) {
        let string = String(text)
        var v4 = in_addr()
        if inet_pton(AF_INET, string, &v4) == 1 {
            self = .v4(UInt32(bigEndian: v4.s_addr))
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, string, &v6) == 1 {
            let bytes = withUnsafeBytes(of: v6) { Array($0) }
            self.init(bytes: bytes)!
            return
        }
        return nil
    }

    /// Builds an address from network-order bytes: 4 for IPv4, 16 for IPv6.
    public init?(bytes: some Collection<UInt8>) {
        let array = Array(bytes)
        switch array.count {
        case 4:
            self = .v4(array.reduce(0) { $0 << 8 | UInt32($1) })
        case 16:
            let high = array[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let low = array[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            self = .v6(high, low)
        default:
            return nil
        }
    }

    /// The address family.
    public var family: AddressFamily {
        switch self {
        case .v4: .ipv4
        case .v6: .ipv6
        }
    }

    /// The address in network byte order.
    public var bytes: [UInt8] {
        switch self {
        case .v4(let value):
            return (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) }
        case .v6(let high, let low):
            return (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64($0))) }
                + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64($0))) }
        }
    }

    /// The address with every bit past `length` cleared.
    public func masked(to length: Int) -> IPAddress {
        switch self {
        case .v4(let value):
            let mask: UInt32 = length <= 0 ? 0 : (length >= 32 ? .max : ~(UInt32.max >> UInt32(length)))
            return .v4(value & mask)
        case .v6(let high, let low):
            let highMask: UInt64 = length <= 0 ? 0 : (length >= 64 ? .max : ~(UInt64.max >> UInt64(length)))
            let lowBits = length - 64
            let lowMask: UInt64 = lowBits <= 0 ? 0 : (lowBits >= 64 ? .max : ~(UInt64.max >> UInt64(lowBits)))
            return .v6(high & highMask, low & lowMask)
        }
    }

    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let raw = bytes
        let family = self.family == .ipv4 ? AF_INET : AF_INET6
        raw.withUnsafeBytes { source in
            _ = inet_ntop(family, source.baseAddress, &buffer, socklen_t(buffer.count))
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        switch (lhs, rhs) {
        case (.v4(let a), .v4(let b)): a < b
        case (.v6(let a1, let a2), .v6(let b1, let b2)): (a1, a2) < (b1, b2)
        case (.v4, .v6): true
        case (.v6, .v4): false
        }
    }
}

/// The two address families Rudder handles.
public enum AddressFamily: String, Hashable, Sendable, CaseIterable, Codable {
    case ipv4
    case ipv6

    /// The kernel's AF_* constant.
    public var kernelValue: Int32 { self == .ipv4 ? AF_INET : AF_INET6 }

    /// The address length in bits.
    public var bitWidth: Int { self == .ipv4 ? 32 : 128 }

    /// Maps AF_INET and AF_INET6 to a family.
    public init?(kernelValue: Int32) {
        switch kernelValue {
        case AF_INET: self = .ipv4
        case AF_INET6: self = .ipv6
        default: return nil
        }
    }
}
