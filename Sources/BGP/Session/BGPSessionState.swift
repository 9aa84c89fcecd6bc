/// The states of RFC 4271 §8.2.2; once the peer's OPEN is accepted, the state carries what was negotiated.
public enum BGPSessionState: Hashable, Sendable, CustomStringConvertible {
    /// No connection, refusing incoming ones.
    case idle
    /// Waiting for our outgoing connection attempt.
    case connect
    /// Waiting for the peer to connect (and, for an active peer, for the connect-retry timer).
    case active
    /// Our OPEN is sent; waiting for the peer's.
    case openSent
    /// OPENs exchanged; waiting for the peer's KEEPALIVE.
    case openConfirm(BGPNegotiatedSession)
    /// Routes flow.
    case established(BGPNegotiatedSession)

    /// The state without its parameters.
    public enum Name: Hashable, Sendable, Comparable, CustomStringConvertible {
        case idle, connect, active, openSent, openConfirm, established

        /// "OpenSent", as RFC 4271 spells it.
        public var description: String {
            switch self {
            case .idle: "Idle"
            case .connect: "Connect"
            case .active: "Active"
            case .openSent: "OpenSent"
            case .openConfirm: "OpenConfirm"
            case .established: "Established"
            }
        }
    }

    /// The state without its parameters.
    public var name: Name {
        switch self {
        case .idle: .idle
        case .connect: .connect
        case .active: .active
        case .openSent: .openSent
        case .openConfirm: .openConfirm
        case .established: .established
        }
    }

    /// The negotiated parameters, once OPENs are exchanged.
    public var negotiated: BGPNegotiatedSession? {
        switch self {
        case .openConfirm(let session), .established(let session): session
        case .idle, .connect, .active, .openSent: nil
        }
    }

    /// "Established".
    public var description: String { name.description }
}
