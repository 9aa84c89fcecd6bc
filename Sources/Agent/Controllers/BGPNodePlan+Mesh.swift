import Addresses
import BGP
import Kubernetes
import KubernetesModel

extension BGPNodePlan {
    /// With `nodeMesh`, every other node of this AS is an iBGP peer, one session per address family
    /// both have, shaped by kube-router's route reflector annotations: a client peers only with
    /// the servers of its cluster ID; a server with every other server, and with its clients as
    /// clients.
    mutating func addMesh(
        identity: Identity, node: Node, nodes: [String: Node], selfName: String,
        configuration: RudderConfiguration.BGP
    ) {
        let mine = Self.reflectorRole(node.metadata.annotations)
        if case .invalid(let text) = mine {
            problems.append(
                "node \(selfName): route reflector cluster ID '\(text)' is neither a number nor an IPv4 address")
        }
        for (name, other) in nodes.sorted(by: { $0.key < $1.key }) where name != selfName {
            let theirAS = NodeBGPAnnotations(other.metadata.annotations).asn ?? configuration.clusterAS
            guard theirAS == identity.localAS else { continue }
            var reflectToThem: UInt32?
            switch (mine, Self.reflectorRole(other.metadata.annotations)) {
            case (.none, .none), (.server, .server): break
            case (.server(let id), .client(let theirID)) where id == theirID: reflectToThem = id
            case (.client(let id), .server(let theirID)) where id == theirID: break
            default: continue
            }
            for address in Self.addresses(of: other) {
                guard let localAddress = identity.localAddress(toward: address) else { continue }
                let peer = BGPPeerConfiguration(
                    peerAddress: address, remoteAS: .fixed(identity.localAS), localAS: identity.localAS,
                    routerID: identity.routerID, localAddress: localAddress, holdTime: identity.holdTime,
                    routeReflectorClient: reflectToThem != nil, clusterID: reflectToThem,
                    importPolicy: .acceptAll, exportPolicy: .acceptAll, gracefulRestartTime: identity.restartTime,
                    families: [address.family == .ipv4 ? .ipv4Unicast : .ipv6Unicast])
                add(BGPSpeakerPeer(configuration: peer), from: "node \(name)")
            }
        }
    }

    /// A node's place in kube-router's route reflection (`kube-router.io/rr.server` and
    /// `rr.client`, each a cluster ID: a number or an IPv4 address).
    enum ReflectorRole: Equatable {
        case none
        case server(UInt32)
        case client(UInt32)
        case invalid(String)
    }

    static func reflectorRole(_ annotations: [String: String]) -> ReflectorRole {
        func clusterID(_ text: String) -> UInt32? {
            UInt32(text) ?? BGPAddress(text).flatMap(\.ipv4Value)
        }
        if let text = annotations["kube-router.io/rr.server"] {
            return clusterID(text).map(ReflectorRole.server) ?? .invalid(text)
        }
        if let text = annotations["kube-router.io/rr.client"] {
            return clusterID(text).map(ReflectorRole.client) ?? .invalid(text)
        }
        return .none
    }

    /// A node's InternalIPs (else ExternalIPs), IPv4 first.
    static func addresses(of node: Node) -> [BGPAddress] {
        [AddressFamily.ipv4, .ipv6].compactMap { family in
            NodeRoutes.address(of: node, family: family).map(BGPAddress.init)
        }
    }
}
