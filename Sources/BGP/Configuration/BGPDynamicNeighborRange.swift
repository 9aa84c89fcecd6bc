/// Peers that are not configured one by one but accepted when they connect from an address in a
/// prefix, with an AS in a range (like BIRD's `neighbor range`). Such sessions are passive: the
/// speaker never connects to a range, it only accepts.
public struct BGPDynamicNeighborRange: Hashable, Sendable, CustomStringConvertible {
    /// Where the peers connect from.
    public var prefix: BGPPrefix
    /// The ASes they may announce.
    public var remoteAS: ClosedRange<UInt32>
    /// The TCP MD5 password every peer of the range must use; set on the listening socket for the
    /// whole prefix (TCP_MD5SIG_EXT with a prefix length).
    public var password: BGPPassword?
    /// The settings of each session accepted from the range. Its peer address, remote AS, AS,
    /// router ID and `passive` flag are replaced when a session is created.
    public var template: BGPPeerConfiguration

    /// A range; `template` defaults to the speaker-wide defaults of `BGPPeerConfiguration`.
    public init(
        prefix: BGPPrefix, remoteAS: ClosedRange<UInt32>, password: BGPPassword? = nil,
        template: BGPPeerConfiguration? = nil
    ) {
        self.prefix = prefix
        self.remoteAS = remoteAS
        self.password = password
        self.template =
            template
            ?? BGPPeerConfiguration(
                peerAddress: prefix.address, remoteAS: .dynamic(remoteAS), localAS: 1, routerID: 1, passive: true)
    }

    /// Whether a connection from `address` belongs to this range.
    public func contains(_ address: BGPAddress) -> Bool {
        guard let masked = BGPPrefix(address: address, length: Int(prefix.length)) else { return false }
        return masked == prefix
    }

    /// The configuration of a session accepted from `address`.
    package func configuration(for address: BGPAddress, localAS: UInt32, routerID: UInt32) -> BGPPeerConfiguration {
        var configuration = template
        configuration.peerAddress = address
        configuration.remoteAS = .dynamic(remoteAS)
        configuration.localAS = localAS
        configuration.routerID = routerID
        configuration.passive = true
        configuration.hasPassword = password != nil
        return configuration
    }

    /// "10.0.0.0/24 AS 64512-65534, password set": never the password.
    public var description: String {
        "\(prefix) AS \(remoteAS.lowerBound)-\(remoteAS.upperBound), "
            + (password == nil ? "no password" : "password set")
    }
}
