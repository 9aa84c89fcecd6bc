/// The ORIGIN attribute (RFC 4271 §5.1.1).
public enum Origin: UInt8, Hashable, Sendable, Comparable, CustomStringConvertible {
    case igp = 0
    case egp = 1
    case incomplete = 2

    /// Lower is preferred.
    public static func < (lhs: Origin, rhs: Origin) -> Bool { lhs.rawValue < rhs.rawValue }

    /// "IGP", "EGP", "incomplete".
    public var description: String {
        switch self {
        case .igp: "IGP"
        case .egp: "EGP"
        case .incomplete: "incomplete"
        }
    }
}
