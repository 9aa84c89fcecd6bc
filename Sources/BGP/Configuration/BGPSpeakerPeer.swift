/// A configured neighbour of a `BGPSpeaker`: the session settings, the port to connect to, the
/// MD5 password (kept out of every description) and the IPv6 next hop for IPv6 routes sent over
/// an IPv4 session.
public struct BGPSpeakerPeer: Hashable, Sendable, CustomStringConvertible {
    /// The session settings; the speaker replaces its AS, router ID and graceful restart time by its own.
    public var configuration: BGPPeerConfiguration
    /// The TCP port the peer listens on.
    public var port: Int
    /// The TCP MD5 password, if the session is signed.
    public var password: BGPPassword?
    /// Our IPv6 address to announce as next hop of IPv6 routes when the session runs over IPv4.
    public var ipv6NextHop: BGPAddress?

    /// A peer from its parts.
    public init(
        configuration: BGPPeerConfiguration, port: Int = 179, password: BGPPassword? = nil,
        ipv6NextHop: BGPAddress? = nil
    ) {
        self.configuration = configuration
        self.port = port
        self.password = password
        self.ipv6NextHop = ipv6NextHop
        self.configuration.hasPassword = password != nil
    }

    /// The peer's address.
    public var address: BGPAddress { configuration.peerAddress }

    /// The configuration's description and the port; never the password.
    public var description: String { "\(configuration), port \(port)" }
}
