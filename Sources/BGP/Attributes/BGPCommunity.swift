/// A community (RFC 1997): two 16-bit halves, conventionally AS and value, with well-known values.
public struct BGPCommunity: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The 32-bit value.
    public let rawValue: UInt32

    /// A community from its 32-bit value.
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// A community "asn:value".
    public init(asn: UInt16, value: UInt16) {
        rawValue = UInt32(asn) << 16 | UInt32(value)
    }

    /// Graceful shutdown (RFC 8326).
    public static let gracefulShutdown = BGPCommunity(rawValue: 0xFFFF_0000)
    /// Blackhole (RFC 7999).
    public static let blackhole = BGPCommunity(rawValue: 0xFFFF_029A)
    /// Not to be advertised outside the AS or confederation (RFC 1997).
    public static let noExport = BGPCommunity(rawValue: 0xFFFF_FF01)
    /// Not to be advertised to any peer (RFC 1997).
    public static let noAdvertise = BGPCommunity(rawValue: 0xFFFF_FF02)
    /// Not to be advertised to external peers, even in a confederation (RFC 1997).
    public static let noExportSubconfed = BGPCommunity(rawValue: 0xFFFF_FF03)
    /// Not to be advertised to other peers at an exchange (RFC 3765).
    public static let noPeer = BGPCommunity(rawValue: 0xFFFF_FF04)

    /// Numeric order.
    public static func < (lhs: BGPCommunity, rhs: BGPCommunity) -> Bool { lhs.rawValue < rhs.rawValue }

    /// "65000:100", or the well-known name ("no-export").
    public var description: String {
        switch self {
        case .gracefulShutdown: "graceful-shutdown"
        case .blackhole: "blackhole"
        case .noExport: "no-export"
        case .noAdvertise: "no-advertise"
        case .noExportSubconfed: "no-export-subconfed"
        case .noPeer: "no-peer"
        default: "\(rawValue >> 16):\(rawValue & 0xffff)"
        }
    }
}
