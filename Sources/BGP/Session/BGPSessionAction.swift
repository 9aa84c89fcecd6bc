/// Something the driver of a session must do, in the order returned.
public enum BGPSessionAction: Hashable, Sendable {
    /// Open a TCP connection to the peer; report `tcpConnectionEstablished` or `tcpConnectionFailed`.
    case connect
    /// Send this message on the connection.
    case send(BGPMessage)
    /// Close the connection (after sending what came before), or abandon a connection attempt.
    case closeConnection
    /// Start this timer, or restart it if it runs, to expire after the duration.
    case armTimer(BGPTimerKind, Duration)
    /// Stop this timer if it runs.
    case cancelTimer(BGPTimerKind)
    /// The session is Established with these parameters: decode UPDATEs with its codec context,
    /// send the initial table, then End-of-RIB for each of its families.
    case sessionEstablished(BGPNegotiatedSession)
    /// The session or the attempt ended. When it had been Established, the RIB must drop the peer's
    /// routes except those of `retainedFamilies`, which graceful restart keeps, marked stale.
    case sessionDown(BGPSessionDownReason, wasEstablished: Bool, retainedFamilies: [AFISAFI])
    /// Apply this UPDATE to the peer's Adj-RIB-In; the problems RFC 7606 handling found are for
    /// logging (a treat-as-withdraw outcome arrives here holding only withdrawals).
    case deliverUpdate(BGPUpdate, problems: [BGPAttributeProblem])
    /// The peer's End-of-RIB for a family arrived: its initial table is complete, and stale routes
    /// of that family still unrefreshed must go.
    case endOfRIBReceived(AFISAFI)
    /// Graceful restart is over for these families without the peer refreshing them: remove the
    /// peer's routes of these families that are still stale.
    case purgeStaleRoutes([AFISAFI])
    /// The peer asks for our routes of a family again (RFC 2918).
    case routeRefreshRequested(BGPRouteRefresh)
}
