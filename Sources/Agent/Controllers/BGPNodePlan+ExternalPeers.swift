import BGP

extension BGPNodePlan {
    /// The configured peers and the Node's annotated ones, with explicit policies (RFC 8212):
    /// export only this node's own routes, import all but what `importPolicy` keeps out. A peer
    /// whose password cannot be read or used is left out, with a problem naming it.
    mutating func addExternalPeers(
        identity: Identity, annotations: NodeBGPAnnotations, selfName: String,
        configuration: RudderConfiguration.BGP, vips: Set<BGPPrefix>, password: (String) -> String?
    ) {
        let advertisesVIPs =
            configuration.advertiseClusterIPs || configuration.advertiseExternalIPs
            || configuration.advertiseLoadBalancerIPs
        let export = Self.exportPolicy(
            podCIDRs: originated.keys.filter { !vips.contains($0) }, hostRoutes: advertisesVIPs,
            prepend: annotations.prepend?.count ?? 0)
        let importPolicy = Self.importPolicy(
            defaultRoute: configuration.importDefaultRoute, hostRoutes: configuration.importServiceVIPs)
        func external(
            address: BGPAddress, remoteAS: UInt32, localAddress: BGPAddress?, secret: String?, port: UInt16,
            multihop: UInt8, gtsm: Bool, passive: Bool, source: String
        ) {
            let peer = BGPPeerConfiguration(
                peerAddress: address, remoteAS: .fixed(remoteAS), localAS: identity.localAS,
                routerID: identity.routerID, localAddress: localAddress ?? identity.localAddress(toward: address),
                holdTime: identity.holdTime, passive: passive, multihopTTL: multihop > 1 ? multihop : nil,
                ttlSecurity: gtsm, importPolicy: importPolicy, exportPolicy: export,
                gracefulRestartTime: identity.restartTime,
                families: [address.family == .ipv4 ? .ipv4Unicast : .ipv6Unicast])
            var password: BGPPassword?
            if let secret {
                guard let read = BGPPassword(secret) else {
                    problems.append("\(source): the password of peer \(address) is not usable (empty or over 80 bytes)")
                    return
                }
                password = read
            }
            add(BGPSpeakerPeer(configuration: peer, port: Int(port), password: password), from: source)
        }
        for configured in configuration.peers {
            var secret: String?
            if let file = configured.passwordFile {
                guard let read = password(file) else {
                    problems.append(
                        "bgp.peers: the password file of peer \(configured.address) cannot be read; peer left out")
                    continue
                }
                secret = read
            }
            external(
                address: configured.address, remoteAS: configured.remoteAS, localAddress: configured.localAddress,
                secret: secret, port: configured.port, multihop: configured.multihop, gtsm: configured.gtsm,
                passive: configured.passive, source: "bgp.peers")
        }
        for annotated in annotations.peers {
            external(
                address: annotated.address, remoteAS: annotated.remoteAS, localAddress: annotated.localAddress,
                secret: annotated.password, port: annotated.port ?? 179, multihop: 1, gtsm: false, passive: false,
                source: "node \(selfName) annotations")
        }
    }
}
