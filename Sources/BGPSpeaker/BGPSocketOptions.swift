import BGP
import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// The socket options a BGP session needs, set through NIO's `SocketOptionProvider`: TCP MD5
/// signatures (RFC 2385) and the TTL rules of eBGP multihop and GTSM (RFC 5082).
///
/// Every function must be called on the channel's event loop, where NIO sets the option at once;
/// the result is then read synchronously.
enum BGPSocketOptions {
    /// IP_MINTTL.
    static let ipMinimumTTL: Int32 = 21
    /// IPV6_MINHOPCOUNT.
    static let ipv6MinimumHopCount: Int32 = 73

    /// Sets (or, with a nil password, removes) the MD5 key for `address` (a prefix with
    /// `prefixLength`) on a listening or not yet connected socket.
    static func setMD5(
        on channel: any Channel, address: BGPAddress, prefixLength: UInt8? = nil, password: BGPPassword?
    ) throws(BGPSpeakerError) {
        let signature = TCPMD5Signature(address: address, prefixLength: prefixLength, password: password)
        let target = prefixLength.map { "\(address)/\($0)" } ?? "\(address)"
        try set(
            on: channel, level: Int32(IPPROTO_TCP), name: signature.optionName, value: signature,
            operation: "\(password == nil ? "remove" : "set") the TCP MD5 key for \(target)")
    }

    /// Applies the TTL rules for a session with `configuration` over a socket of `family`:
    /// GTSM sends with TTL 255 and refuses packets that arrive with less than 256 - hops (hops is
    /// the multihop TTL, 1 for a direct peer); plain multihop sends with the configured TTL.
    static func setTTL(
        on channel: any Channel, family: BGPAddress.Family, configuration: BGPPeerConfiguration
    ) throws(BGPSpeakerError) {
        let level = family == .ipv4 ? Int32(IPPROTO_IP) : Int32(IPPROTO_IPV6)
        let ttlName = family == .ipv4 ? Int32(IP_TTL) : Int32(IPV6_UNICAST_HOPS)
        let minimumName = family == .ipv4 ? ipMinimumTTL : ipv6MinimumHopCount
        if configuration.ttlSecurity {
            let hops = Int32(configuration.multihopTTL ?? 1)
            try set(on: channel, level: level, name: ttlName, value: Int32(255), operation: "set TTL 255 (GTSM)")
            try set(
                on: channel, level: level, name: minimumName, value: 256 - hops,
                operation: "set minimum TTL \(256 - hops) (GTSM)")
        } else if let multihop = configuration.multihopTTL {
            try set(
                on: channel, level: level, name: ttlName, value: Int32(multihop),
                operation: "set TTL \(multihop) (multihop)")
        }
    }

    /// The lowest TTL a session with `configuration` accepts: 256 - hops with GTSM, else 1 (any).
    static func minimumTTL(_ configuration: BGPPeerConfiguration) -> Int32 {
        configuration.ttlSecurity ? 256 - Int32(configuration.multihopTTL ?? 1) : 1
    }

    /// Sets a listener's minimum TTL, which the kernel checks on the handshake and its accepted
    /// sockets inherit: the lowest that any peer of the listener's family accepts. With only GTSM
    /// peers a segment sent with less than 255 never reaches a socket, not even in the moment
    /// between `accept` and `setTTL`, when the accepted socket has no minimum of its own yet.
    static func setListenerMinimumTTL(
        on listener: any Channel, family: BGPAddress.Family, peers: [BGPPeerConfiguration]
    ) throws(BGPSpeakerError) {
        let minimum = peers.filter { $0.peerAddress.family == family }.map(minimumTTL).min() ?? 1
        try set(
            on: listener, level: family == .ipv4 ? Int32(IPPROTO_IP) : Int32(IPPROTO_IPV6),
            name: family == .ipv4 ? ipMinimumTTL : ipv6MinimumHopCount, value: minimum,
            operation: "set the listener's minimum TTL \(minimum)")
    }

    private static func set<Value: Sendable>(
        on channel: any Channel, level: Int32, name: Int32, value: Value, operation: String
    ) throws(BGPSpeakerError) {
        guard let provider = channel as? any SocketOptionProvider else {
            throw BGPSpeakerError(operation: operation, problem: "the channel has no socket options")
        }
        var outcome: Result<Void, any Error>?
        provider.unsafeSetSocketOption(
            level: SocketOptionLevel(level), name: SocketOptionName(name), value: value
        ).assumeIsolated().whenComplete { outcome = $0 }
        switch outcome {
        case .success: return
        case .failure(let error): throw BGPSpeakerError(operation: operation, problem: "\(error)")
        case nil: throw BGPSpeakerError(operation: operation, problem: "called off the channel's event loop")
        }
    }
}
