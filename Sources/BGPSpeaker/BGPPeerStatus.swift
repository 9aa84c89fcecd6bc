import BGP

/// What the CLI shows about one peer: who it is, the session's state and history, and its routes.
public struct BGPPeerStatus: Hashable, Sendable {
    /// The peer's address.
    public var address: BGPAddress
    /// The peer's AS: the negotiated one once OPENs are exchanged, else the configured AS or range.
    public var remoteAS: BGPRemoteAS
    /// The session's state.
    public var state: BGPSessionState.Name
    /// How long the session has been Established; nil when it is not.
    public var uptime: Duration?
    /// Why the session last went down, if it did.
    public var lastError: String?
    /// Prefixes the peer announced since the session came up (before import policy).
    public var prefixesReceived: Int
    /// Prefixes of the peer held in its Adj-RIB-In (accepted by import policy).
    public var prefixesAccepted: Int
    /// Prefixes advertised to the peer.
    public var prefixesAdvertised: Int
    /// The peer was accepted from a dynamic neighbour range.
    public var dynamic: Bool
}
