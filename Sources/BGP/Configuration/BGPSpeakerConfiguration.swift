/// Everything a `BGPSpeaker` starts with: who it is, where it listens, its peers and dynamic
/// neighbour ranges, and graceful restart. Peers and ranges can change later, at run time.
public struct BGPSpeakerConfiguration: Hashable, Sendable {
    /// Our BGP identifier.
    public var routerID: UInt32
    /// Our AS.
    public var localAS: UInt32
    /// The addresses to accept connections on (one listening socket each); empty listens nowhere,
    /// which leaves only outgoing sessions.
    public var listenAddresses: [BGPAddress]
    /// The TCP port to listen on.
    public var listenPort: Int
    /// The configured peers.
    public var peers: [BGPSpeakerPeer]
    /// Ranges of addresses whose connections are accepted as dynamic peers.
    public var dynamicNeighbors: [BGPDynamicNeighborRange]
    /// The restart time we advertise (RFC 4724), for every peer; nil advertises no graceful restart.
    public var gracefulRestartTime: UInt16?
    /// This speaker has just restarted with its routes still in the kernel: the first OPEN to each
    /// peer sets the R bit and every OPEN the forwarding-state bits.
    public var restarted: Bool

    /// A configuration from its parts.
    public init(
        routerID: UInt32, localAS: UInt32, listenAddresses: [BGPAddress] = [], listenPort: Int = 179,
        peers: [BGPSpeakerPeer] = [], dynamicNeighbors: [BGPDynamicNeighborRange] = [],
        gracefulRestartTime: UInt16? = 120, restarted: Bool = false
    ) {
        self.routerID = routerID
        self.localAS = localAS
        self.listenAddresses = listenAddresses
        self.listenPort = listenPort
        self.peers = peers
        self.dynamicNeighbors = dynamicNeighbors
        self.gracefulRestartTime = gracefulRestartTime
        self.restarted = restarted
    }

    /// A peer's configuration with the speaker-wide settings applied (AS, router ID, restart time).
    package func effective(_ peer: BGPPeerConfiguration) -> BGPPeerConfiguration {
        var configuration = peer
        configuration.localAS = localAS
        configuration.routerID = routerID
        configuration.gracefulRestartTime = gracefulRestartTime
        return configuration
    }
}
