/// The RFC 4271 state of a BGP session, as a router reports it.
public enum BGPPeerLabSessionState: String, Sendable, Equatable, CaseIterable {
    /// Not trying to connect (also a protocol that is down or disabled).
    case idle
    /// Waiting for an outgoing TCP connection to complete.
    case connect
    /// Listening for the peer, or waiting to retry the connection.
    case active
    /// OPEN sent, waiting for the peer's OPEN.
    case openSent
    /// OPENs exchanged, waiting for a KEEPALIVE.
    case openConfirm
    /// Up: routes flow.
    case established

    /// The state named by a router's text ("Established", "OpenSent", "Idle (Admin)", ...), case-insensitively.
    public init?(routerText text: some StringProtocol) {
        let word = text.split(whereSeparator: { $0 == " " || $0 == "(" }).first.map { $0.lowercased() } ?? ""
        switch word {
        case "idle", "down", "passive": self = .idle
        case "connect": self = .connect
        case "active": self = .active
        case "opensent": self = .openSent
        case "openconfirm": self = .openConfirm
        case "established": self = .established
        default: return nil
        }
    }
}
