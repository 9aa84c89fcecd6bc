import BGP

/// Configurations the speaker tests share.
enum SpeakerFixtures {
    static let leftRouterID: UInt32 = 0x0101_0101
    static let rightRouterID: UInt32 = 0x0202_0202

    /// A peer that accepts and sends everything, retrying fast.
    static func peer(
        _ address: BGPAddress, remoteAS: UInt32, families: [AFISAFI]? = nil, password: String? = nil,
        holdTime: UInt16 = 90, passive: Bool = false
    ) -> BGPSpeakerPeer {
        BGPSpeakerPeer(
            configuration: BGPPeerConfiguration(
                peerAddress: address, remoteAS: .fixed(remoteAS), localAS: 1, routerID: 1, holdTime: holdTime,
                passive: passive, importPolicy: .acceptAll, exportPolicy: .acceptAll,
                families: families ?? [.unicast(address.family)],
                connectRetryBackoff: BGPConnectRetryBackoff(initial: .milliseconds(300), maximum: .seconds(2))),
            password: password.flatMap(BGPPassword.init))
    }

    /// The left speaker of a lab: AS `localAS`, listening on its link addresses, peering with the right.
    static func left(
        localAS: UInt32, peers: [BGPSpeakerPeer], restarted: Bool = false
    ) -> BGPSpeakerConfiguration {
        BGPSpeakerConfiguration(
            routerID: leftRouterID, localAS: localAS, listenAddresses: [SpeakerLab.leftIPv4, SpeakerLab.leftIPv6],
            peers: peers, restarted: restarted)
    }

    /// The right speaker of a lab.
    static func right(localAS: UInt32, peers: [BGPSpeakerPeer]) -> BGPSpeakerConfiguration {
        BGPSpeakerConfiguration(
            routerID: rightRouterID, localAS: localAS, listenAddresses: [SpeakerLab.rightIPv4, SpeakerLab.rightIPv6],
            peers: peers)
    }
}
