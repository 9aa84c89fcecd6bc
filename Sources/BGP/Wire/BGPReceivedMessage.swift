/// A decoded received message; an UPDATE comes with its RFC 7606 outcome.
public enum BGPReceivedMessage: Hashable, Sendable {
    /// OPEN.
    case open(BGPOpen)
    /// UPDATE, as RFC 7606 handling left it.
    case update(BGPUpdateOutcome)
    /// NOTIFICATION.
    case notification(BGPNotification)
    /// KEEPALIVE.
    case keepalive
    /// ROUTE-REFRESH.
    case routeRefresh(BGPRouteRefresh)
}
