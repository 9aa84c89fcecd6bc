/// Which AS a configured peer may be in: one AS, or any AS of a range for dynamic peers (for
/// example every node of a cluster peering from its own private AS).
public enum BGPRemoteAS: Hashable, Sendable, CustomStringConvertible {
    /// Exactly this AS.
    case fixed(UInt32)
    /// Any AS in this range; whether the session is internal is known only once the OPEN arrives.
    case dynamic(ClosedRange<UInt32>)

    /// Whether an OPEN from `asNumber` is acceptable.
    public func accepts(_ asNumber: UInt32) -> Bool {
        switch self {
        case .fixed(let expected): asNumber == expected
        case .dynamic(let range): range.contains(asNumber)
        }
    }

    /// "AS 65001" or "AS 64512-65534".
    public var description: String {
        switch self {
        case .fixed(let asNumber): "AS \(asNumber)"
        case .dynamic(let range): "AS \(range.lowerBound)-\(range.upperBound)"
        }
    }
}
