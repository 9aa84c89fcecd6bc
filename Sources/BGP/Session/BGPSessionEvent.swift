/// Something that happened to a session, fed to `BGPSessionStateMachine.handle(_:)` by its driver.
public enum BGPSessionEvent: Hashable, Sendable {
    /// Start the session (RFC 4271 ManualStart, or ManualStart_with_PassiveTcpEstablishment for a
    /// passive peer).
    case start
    /// Stop the session, sending Cease with this subcode if a connection is up.
    case stop(BGPNotification.CeaseSubcode)
    /// An incoming connection from the peer was accepted (RFC 4271 TcpConnectionConfirmed).
    case tcpConnectionConfirmed
    /// Our outgoing connection attempt succeeded (RFC 4271 Tcp_CR_Acked).
    case tcpConnectionEstablished
    /// The connection attempt failed, or the connection closed or broke.
    case tcpConnectionFailed
    /// A timer the machine armed has expired.
    case timerExpired(BGPTimerKind)
    /// A whole message arrived and was decoded.
    case messageReceived(BGPReceivedMessage)
    /// A message arrived that could not be decoded (framing, OPEN, NOTIFICATION or ROUTE-REFRESH errors).
    case decodeFailed(BGPError)
}
