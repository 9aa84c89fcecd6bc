/// A Subsequent Address Family Identifier (RFC 4760); unknown values are carried as they are.
public struct SAFI: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The IANA number.
    public let rawValue: UInt8

    /// A SAFI from its IANA number.
    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// Unicast forwarding (1).
    public static let unicast = SAFI(rawValue: 1)
    /// Multicast forwarding (2).
    public static let multicast = SAFI(rawValue: 2)

    /// "unicast", "multicast" or "SAFI 128".
    public var description: String {
        switch self {
        case .unicast: "unicast"
        case .multicast: "multicast"
        default: "SAFI \(rawValue)"
        }
    }
}
