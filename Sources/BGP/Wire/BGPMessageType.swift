/// The message types of RFC 4271 §4.1 and ROUTE-REFRESH (RFC 2918).
public enum BGPMessageType: UInt8, Hashable, Sendable, CustomStringConvertible {
    case open = 1
    case update = 2
    case notification = 3
    case keepalive = 4
    case routeRefresh = 5

    /// The shortest valid message of this type, header included (RFC 4271 §4, RFC 2918 §3).
    var minimumLength: Int {
        switch self {
        case .open: 29
        case .update: 23
        case .notification: 21
        case .keepalive: 19
        case .routeRefresh: 23
        }
    }

    /// "OPEN", "ROUTE-REFRESH".
    public var description: String {
        switch self {
        case .open: "OPEN"
        case .update: "UPDATE"
        case .notification: "NOTIFICATION"
        case .keepalive: "KEEPALIVE"
        case .routeRefresh: "ROUTE-REFRESH"
        }
    }
}
