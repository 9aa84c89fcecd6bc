/// The timers a session asks its driver to run; each kind is one timer, so arming it again
/// restarts it.
public enum BGPTimerKind: Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Wait before the next outgoing connection attempt (RFC 4271 ConnectRetryTimer), backed off.
    case connectRetry
    /// Wait in Idle after a failure before starting again (RFC 4271 IdleHoldTimer), backed off.
    case idleHold
    /// The peer must send something within this time.
    case hold
    /// Time to send the next KEEPALIVE.
    case keepalive
    /// How long a graceful restarting peer's routes are kept while it is away (its restart time, RFC 4724).
    case gracefulRestart
    /// How long stale routes are kept after the peer is back but has not sent End-of-RIB.
    case stalePath

    /// "hold", "connect retry".
    public var description: String {
        switch self {
        case .connectRetry: "connect retry"
        case .idleHold: "idle hold"
        case .hold: "hold"
        case .keepalive: "keepalive"
        case .gracefulRestart: "graceful restart"
        case .stalePath: "stale path"
        }
    }
}
