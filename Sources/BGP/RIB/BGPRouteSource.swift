/// Where a route came from: this speaker, or a peer with what the decision process and the export
/// rules need to know about it.
public struct BGPRouteSource: Hashable, Sendable, CustomStringConvertible {
    /// The kind of source.
    public enum Kind: Hashable, Sendable {
        /// Originated by this speaker (the node's pod CIDR, service VIPs).
        case local
        /// Learned from a peer in another AS.
        case external
        /// Learned from a peer in our AS.
        case `internal`
    }

    // Ordered for a compact layout (28 bytes): the address, then the bytes, then the words.
    /// The peer's address (0.0.0.0 for local routes).
    public var address: BGPAddress
    /// The kind of source.
    public var kind: Kind
    /// The peer is a route-reflector client of ours.
    public var routeReflectorClient: Bool
    /// The peer's BGP identifier (ours for local routes).
    public var identifier: UInt32
    /// The peer's AS (ours for local routes).
    public var autonomousSystem: UInt32

    /// A source from its parts.
    public init(
        kind: Kind, address: BGPAddress, identifier: UInt32, autonomousSystem: UInt32,
        routeReflectorClient: Bool = false
    ) {
        self.kind = kind
        self.address = address
        self.identifier = identifier
        self.autonomousSystem = autonomousSystem
        self.routeReflectorClient = routeReflectorClient
    }

    /// The source of this speaker's own routes.
    public static func local(routerID: UInt32, localAS: UInt32) -> BGPRouteSource {
        BGPRouteSource(kind: .local, address: .zero(.ipv4), identifier: routerID, autonomousSystem: localAS)
    }

    /// The source for a configured peer once its session is negotiated.
    public init(peer configuration: BGPPeerConfiguration, session: BGPNegotiatedSession) {
        self.init(
            kind: session.isExternal ? .external : .internal, address: configuration.peerAddress,
            identifier: session.peerIdentifier, autonomousSystem: session.peerAS,
            routeReflectorClient: configuration.routeReflectorClient)
    }

    /// "local", "external peer 10.0.0.1 (AS 65001)".
    public var description: String {
        switch kind {
        case .local: "local"
        case .external: "external peer \(address) (AS \(autonomousSystem))"
        case .internal: "internal peer \(address)" + (routeReflectorClient ? " (route-reflector client)" : "")
        }
    }
}
