/// Why a session ended or a connection attempt came to nothing.
public enum BGPSessionDownReason: Hashable, Sendable, CustomStringConvertible {
    /// Stopped on our side (by an operator, a configuration change or collision resolution), with
    /// the Cease subcode sent.
    case stopped(BGPNotification.CeaseSubcode)
    /// The peer sent this NOTIFICATION.
    case notificationReceived(BGPNotification)
    /// We found this error and sent its NOTIFICATION (a bad OPEN, a malformed message, the hold
    /// timer, a message the state does not allow).
    case errorSent(BGPError)
    /// The TCP connection failed or was closed without a NOTIFICATION.
    case connectionLost

    /// Whether a NOTIFICATION went either way, which under RFC 4724 (without RFC 8538) ends
    /// graceful restart's protection of the peer's routes.
    public var hadNotification: Bool {
        switch self {
        case .connectionLost: false
        case .stopped, .notificationReceived, .errorSent: true
        }
    }

    /// "peer sent Cease / Administrative Shutdown (6/2)".
    public var description: String {
        switch self {
        case .stopped(let subcode): "stopped locally (\(subcode))"
        case .notificationReceived(let notification): "peer sent \(notification)"
        case .errorSent(let error): error.description
        case .connectionLost: "connection closed without a NOTIFICATION"
        }
    }
}
