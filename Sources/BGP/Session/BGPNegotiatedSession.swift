/// What both OPENs together settled for an Established session.
public struct BGPNegotiatedSession: Hashable, Sendable {
    /// Our AS.
    public var localAS: UInt32
    /// Our BGP identifier.
    public var localIdentifier: UInt32
    /// The peer's AS.
    public var peerAS: UInt32
    /// The peer's BGP identifier.
    public var peerIdentifier: UInt32
    /// The hold time in seconds: the smaller of the two proposals; 0 means no keepalives at all.
    public var holdTime: UInt16
    /// Seconds between our KEEPALIVEs: a third of the hold time; 0 when the hold time is 0.
    public var keepaliveInterval: UInt16
    /// Both sides can carry 4-octet AS numbers (RFC 6793).
    public var fourOctetAS: Bool
    /// The families both sides announced (IPv4 unicast when a side announced none, RFC 4760 §8).
    public var families: [AFISAFI]
    /// Both sides support ROUTE-REFRESH (RFC 2918).
    public var routeRefresh: Bool
    /// The peer's graceful restart capability, if it sent one.
    public var peerGracefulRestart: GracefulRestartCapability?

    /// A negotiated session from its parts.
    public init(
        localAS: UInt32, localIdentifier: UInt32, peerAS: UInt32, peerIdentifier: UInt32, holdTime: UInt16,
        fourOctetAS: Bool, families: [AFISAFI], routeRefresh: Bool, peerGracefulRestart: GracefulRestartCapability?
    ) {
        self.localAS = localAS
        self.localIdentifier = localIdentifier
        self.peerAS = peerAS
        self.peerIdentifier = peerIdentifier
        self.holdTime = holdTime
        self.keepaliveInterval = holdTime / 3
        self.fourOctetAS = fourOctetAS
        self.families = families
        self.routeRefresh = routeRefresh
        self.peerGracefulRestart = peerGracefulRestart
    }

    /// The result of our OPEN and the peer's.
    public init(local: BGPOpen, peer: BGPOpen, localAS: UInt32) {
        let localFamilies = local.multiprotocolFamilies.isEmpty ? [.ipv4Unicast] : local.multiprotocolFamilies
        let peerFamilies = peer.multiprotocolFamilies.isEmpty ? [.ipv4Unicast] : peer.multiprotocolFamilies
        // Each capability is read into a plain value first: Swift 6.3.1's optimizer crashed
        // (an ownership verifier failure in release builds) on these reads inside `&&`.
        let localFourOctet = local.fourOctetASCapability != nil
        let peerFourOctet = peer.fourOctetASCapability != nil
        let localRefresh = local.capabilities.contains(.routeRefresh)
        let peerRefresh = peer.capabilities.contains(.routeRefresh)
        self.init(
            localAS: localAS, localIdentifier: local.identifier, peerAS: peer.autonomousSystem,
            peerIdentifier: peer.identifier, holdTime: min(local.holdTime, peer.holdTime),
            fourOctetAS: localFourOctet && peerFourOctet, families: localFamilies.filter(peerFamilies.contains),
            routeRefresh: localRefresh && peerRefresh, peerGracefulRestart: peer.gracefulRestart)
    }

    /// The peer is in another AS.
    public var isExternal: Bool { peerAS != localAS }

    /// How UPDATEs on this session are encoded and decoded.
    public var codecContext: BGPCodecContext {
        BGPCodecContext(fourOctetAS: fourOctetAS, externalPeer: isExternal)
    }
}
