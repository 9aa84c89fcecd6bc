/// Connection collision detection (RFC 4271 §6.8, RFC 6286 §2.3): when two connections to one
/// peer exist, which one to close with Cease / Connection Collision Resolution.
public enum BGPCollisionResolver {
    /// Who opened a connection.
    public enum Direction: Hashable, Sendable {
        /// The peer connected to us.
        case incoming
        /// We connected to the peer.
        case outgoing
    }

    /// One of the two connections.
    public struct Connection: Hashable, Sendable {
        /// Who opened it.
        public var direction: Direction
        /// Its machine's state.
        public var state: BGPSessionState.Name

        /// A connection from its parts.
        public init(direction: Direction, state: BGPSessionState.Name) {
            self.direction = direction
            self.state = state
        }
    }

    /// The verdict.
    public enum Resolution: Hashable, Sendable {
        /// Keep both for now: neither has the peer's BGP identifier yet.
        case keepBoth
        /// Close the connection that was there first.
        case closeExisting
        /// Close the new connection.
        case closeNew
    }

    /// Decides between the connection that was there first and a new one, called when an OPEN
    /// arrives on either (so `remoteIdentifier` and `remoteAS` are known).
    ///
    /// - An Established connection stays and the new one goes — unless the peer negotiated graceful
    ///   restart there, in which case a new connection means the peer restarted (RFC 4724 §4.2) and
    ///   the old one goes.
    /// - Otherwise, unless one of them is in OpenConfirm there is nothing to compare yet.
    /// - With different identifiers, the connection opened by the side with the higher one stays.
    /// - With equal identifiers (allowed between ASes by RFC 6286), the connection opened by the
    ///   side with the higher AS stays.
    public static func resolve(
        existing: Connection, new: Connection, localIdentifier: UInt32, localAS: UInt32, remoteIdentifier: UInt32,
        remoteAS: UInt32, peerGracefulRestart: Bool = false
    ) -> Resolution {
        if existing.state == .established { return peerGracefulRestart ? .closeExisting : .closeNew }
        if new.state == .established { return .closeExisting }
        guard existing.state == .openConfirm || new.state == .openConfirm else { return .keepBoth }
        // The same direction twice is no race: the peer (or we) gave up on the first connection.
        guard existing.direction != new.direction else { return .closeExisting }
        let keepOutgoing: Bool
        if localIdentifier != remoteIdentifier {
            keepOutgoing = localIdentifier > remoteIdentifier
        } else {
            keepOutgoing = localAS > remoteAS
        }
        let keep: Direction = keepOutgoing ? .outgoing : .incoming
        return existing.direction == keep ? .closeNew : .closeExisting
    }
}
