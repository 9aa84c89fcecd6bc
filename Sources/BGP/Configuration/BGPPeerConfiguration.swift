/// One configured BGP neighbour: who it is, how to talk to it, and which routes go each way.
///
/// The session state machine reads the session parameters, the RIB the AS numbers, the
/// route-reflector flag and the policies. The description names the peer and says whether a
/// password is configured, never what it is: the secret itself is not part of this type.
public struct BGPPeerConfiguration: Hashable, Sendable, CustomStringConvertible {
    /// The peer's address.
    public var peerAddress: BGPAddress
    /// The AS (or range of ASes, for dynamic peers) the peer must announce in its OPEN.
    public var remoteAS: BGPRemoteAS
    /// Our AS.
    public var localAS: UInt32
    /// Our BGP identifier (router ID), an IPv4-shaped number that is not 0.
    public var routerID: UInt32
    /// The address to connect from and to use as next hop; nil lets the driver use the socket's.
    public var localAddress: BGPAddress?
    /// The hold time we propose in seconds: 0 (no keepalives) or at least 3.
    public var holdTime: UInt16
    /// Only accept connections from the peer, never connect to it.
    public var passive: Bool
    /// The TTL of an eBGP multihop session; nil for a directly connected peer (TTL 1).
    public var multihopTTL: UInt8?
    /// Generalized TTL security (RFC 5082): send with TTL 255 and accept only what arrives with
    /// 255 less the hop count.
    public var ttlSecurity: Bool
    /// Whether a TCP MD5 password is configured (the driver reads the secret from its own source).
    public var hasPassword: Bool
    /// The peer is a route-reflector client of ours (RFC 4456); internal peers only.
    public var routeReflectorClient: Bool
    /// The cluster ID when we reflect routes; nil means our router ID.
    public var clusterID: UInt32?
    /// What to accept from the peer; nil gives the RFC 8212 default (nothing from an external peer).
    public var importPolicy: BGPPolicy?
    /// What to send to the peer; nil gives the RFC 8212 default (nothing to an external peer).
    public var exportPolicy: BGPPolicy?
    /// The restart time we advertise for graceful restart (RFC 4724), in seconds up to 4095; nil
    /// advertises no graceful restart capability.
    public var gracefulRestartTime: UInt16?
    /// How long a restarted peer's stale routes are kept while waiting for its End-of-RIB, in seconds.
    public var stalePathTime: UInt16
    /// The address families to negotiate (IPv4 and IPv6 unicast are supported).
    public var families: [AFISAFI]
    /// Delays between connection attempts.
    public var connectRetryBackoff: BGPConnectRetryBackoff

    /// A peer configuration; everything but who the peer is has a usable default.
    public init(
        peerAddress: BGPAddress, remoteAS: BGPRemoteAS, localAS: UInt32, routerID: UInt32,
        localAddress: BGPAddress? = nil, holdTime: UInt16 = 90, passive: Bool = false, multihopTTL: UInt8? = nil,
        ttlSecurity: Bool = false, hasPassword: Bool = false, routeReflectorClient: Bool = false,
        clusterID: UInt32? = nil, importPolicy: BGPPolicy? = nil, exportPolicy: BGPPolicy? = nil,
        gracefulRestartTime: UInt16? = 120, stalePathTime: UInt16 = 360, families: [AFISAFI] = [.ipv4Unicast],
        connectRetryBackoff: BGPConnectRetryBackoff = BGPConnectRetryBackoff()
    ) {
        self.peerAddress = peerAddress
        self.remoteAS = remoteAS
        self.localAS = localAS
        self.routerID = routerID
        self.localAddress = localAddress
        self.holdTime = holdTime
        self.passive = passive
        self.multihopTTL = multihopTTL
        self.ttlSecurity = ttlSecurity
        self.hasPassword = hasPassword
        self.routeReflectorClient = routeReflectorClient
        self.clusterID = clusterID
        self.importPolicy = importPolicy
        self.exportPolicy = exportPolicy
        self.gracefulRestartTime = gracefulRestartTime
        self.stalePathTime = stalePathTime
        self.families = families
        self.connectRetryBackoff = connectRetryBackoff
    }

    /// "10.0.0.1 (AS 65001)", the name errors and logs use for the peer.
    public var name: String { "\(peerAddress) (\(remoteAS))" }

    /// Whether the peer is in another AS; nil for a dynamic range that holds both ours and others.
    public var isExternal: Bool? {
        switch remoteAS {
        case .fixed(let asNumber): asNumber != localAS
        case .dynamic(let range): range.contains(localAS) ? (range.count == 1 ? false : nil) : true
        }
    }

    /// The cluster ID in effect: the configured one, else the router ID.
    public var effectiveClusterID: UInt32 { clusterID ?? routerID }

    /// "peer 10.0.0.1 (AS 65001), local AS 65000, hold 90 s, active, password set, ...": no secret.
    public var description: String {
        var parts = ["peer \(name)", "local AS \(localAS)", "hold \(holdTime) s", passive ? "passive" : "active"]
        if let multihopTTL { parts.append("multihop TTL \(multihopTTL)") }
        if ttlSecurity { parts.append("TTL security") }
        parts.append(hasPassword ? "password set" : "no password")
        if routeReflectorClient { parts.append("route-reflector client") }
        if let gracefulRestartTime { parts.append("graceful restart \(gracefulRestartTime) s") }
        parts.append("families " + families.map(\.description).joined(separator: ", "))
        return parts.joined(separator: ", ")
    }

    /// Checks the configuration and throws the first problem found, naming the peer.
    public func validate() throws(BGPPeerConfigurationError) {
        func fail(_ problem: String) -> BGPPeerConfigurationError {
            BGPPeerConfigurationError(peer: name, problem: problem)
        }
        if peerAddress == .zero(peerAddress.family) { throw fail("the peer address is unspecified") }
        if localAS == 0 || localAS == UInt32(BGPOpen.asTrans) {
            throw fail("local AS \(localAS) is reserved (RFC 7607, RFC 6793)")
        }
        switch remoteAS {
        case .fixed(let asNumber):
            if asNumber == 0 || asNumber == UInt32(BGPOpen.asTrans) {
                throw fail("remote AS \(asNumber) is reserved (RFC 7607, RFC 6793)")
            }
        case .dynamic(let range):
            if range.lowerBound == 0 { throw fail("the remote AS range \(remoteAS) includes the reserved AS 0") }
        }
        if routerID == 0 { throw fail("router ID 0.0.0.0 is not a valid BGP identifier") }
        if holdTime == 1 || holdTime == 2 { throw fail("hold time \(holdTime) s is neither 0 nor at least 3") }
        if let localAddress, localAddress.family != peerAddress.family {
            throw fail("local address \(localAddress) is not of the peer address's family")
        }
        if multihopTTL == 0 { throw fail("multihop TTL 0 would never reach the peer") }
        if routeReflectorClient && isExternal != false {
            throw fail("a route-reflector client must be an internal peer (remote AS \(localAS))")
        }
        if clusterID == 0 { throw fail("cluster ID 0.0.0.0 is not valid") }
        if let gracefulRestartTime, gracefulRestartTime > 0xfff {
            throw fail("graceful restart time \(gracefulRestartTime) s is over the 4095 s the capability holds")
        }
        if families.isEmpty { throw fail("no address family is configured") }
        for family in families where family.prefixFamily == nil {
            throw fail("address family \(family) is not supported (IPv4 and IPv6 unicast are)")
        }
        if connectRetryBackoff.initial <= .zero || connectRetryBackoff.maximum < connectRetryBackoff.initial {
            throw fail(
                "connect retry backoff \(connectRetryBackoff.initial) to \(connectRetryBackoff.maximum) is not increasing"
            )
        }
        do throws(BGPPolicyError) {
            try importPolicy?.validate()
            try exportPolicy?.validate()
        } catch {
            throw fail(error.description)
        }
    }
}
