/// An Address Family Identifier (RFC 4760); values other than IPv4 and IPv6 are carried as they are.
public struct AFI: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The IANA number.
    public let rawValue: UInt16

    /// An AFI from its IANA number.
    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// IPv4 (1).
    public static let ipv4 = AFI(rawValue: 1)
    /// IPv6 (2).
    public static let ipv6 = AFI(rawValue: 2)

    /// "IPv4", "IPv6" or "AFI 25".
    public var description: String {
        switch self {
        case .ipv4: "IPv4"
        case .ipv6: "IPv6"
        default: "AFI \(rawValue)"
        }
    }
}
