import BGP
import Kubernetes
import KubernetesModel

/// What this node's BGP speaker should be doing, from the Nodes and the `bgp` section. Pure.
///
/// - The router ID is the configured one, else this node's IPv4 InternalIP; the AS is the
///   Node's `kube-router.io/node.asn`, else the cluster's.
/// - With `nodeMesh`, every other node of the same AS is an iBGP peer, one session per address
///   family both nodes have; with kube-router's `rr.server`/`rr.client` annotations, clients peer
///   only with their route reflectors.
/// - The configured peers and the Node's annotated peers are peers too. Their policies are
///   explicit (RFC 8212): export only this node's own routes (with the annotated AS-path
///   prepend), import everything but a default route and other nodes' VIPs unless asked for.
/// - This node originates its pod CIDRs and the service VIPs it serves (`ServiceVIPs`), with the
///   configured and annotated communities.
public struct BGPNodePlan: Equatable, Sendable {
    /// The BGP identifier.
    public var routerID: UInt32
    /// This node's AS.
    public var localAS: UInt32
    /// Where the speaker listens: this node's addresses.
    public var listenAddresses: [BGPAddress]
    /// Every peer, by address.
    public var peers: [BGPAddress: BGPSpeakerPeer]
    /// The routes this node originates.
    public var originated: [BGPPrefix: PathAttributes]
    /// One line for each thing left out, naming it.
    public var problems: [String]

    /// Why no plan can be made (this node is unknown, or has no IPv4 address for a router ID).
    public struct Unavailable: Error, CustomStringConvertible, Equatable {
        /// The reason.
        public var description: String
    }

    /// The plan for `selfName`; `password` reads a peer's password file (nil: unreadable).
    public static func make(
        configuration: RudderConfiguration.BGP, nodes: [String: Node], selfName: String,
        vips: Set<BGPPrefix> = [], password: (String) -> String?
    ) throws(Unavailable) -> BGPNodePlan {
        guard let node = nodes[selfName] else { throw Unavailable(description: "node \(selfName) is not in the API") }
        let annotations = NodeBGPAnnotations(node.metadata.annotations)
        let identity = try Identity(
            node: node, name: selfName, annotations: annotations, configuration: configuration)
        var plan = BGPNodePlan(
            routerID: identity.routerID, localAS: identity.localAS, listenAddresses: identity.addresses, peers: [:],
            originated: [:], problems: annotations.problems.map { "node \(selfName): \($0)" })
        plan.originate(node: node, name: selfName, annotations: annotations, configuration: configuration, vips: vips)
        if configuration.nodeMesh {
            plan.addMesh(identity: identity, node: node, nodes: nodes, selfName: selfName, configuration: configuration)
        }
        plan.addExternalPeers(
            identity: identity, annotations: annotations, selfName: selfName, configuration: configuration,
            vips: vips, password: password)
        return plan
    }

    /// What every session of this node shares: who it is and its timers.
    struct Identity {
        let routerID: UInt32
        let localAS: UInt32
        /// This node's addresses, IPv4 first; sessions start from the one of their family.
        let addresses: [BGPAddress]
        let holdTime: UInt16
        let restartTime: UInt16?

        init(
            node: Node, name: String, annotations: NodeBGPAnnotations, configuration: RudderConfiguration.BGP
        ) throws(Unavailable) {
            addresses = BGPNodePlan.addresses(of: node)
            if let configured = configuration.routerID?.ipv4Value {
                routerID = configured
            } else if let address = addresses.first(where: { $0.family == .ipv4 })?.ipv4Value {
                routerID = address
            } else {
                throw Unavailable(description: "node \(name) has no IPv4 address for a router ID; set bgp.routerID")
            }
            localAS = annotations.asn ?? configuration.clusterAS
            holdTime = UInt16(clamping: configuration.holdTime.components.seconds)
            restartTime =
                configuration.gracefulRestart ? UInt16(clamping: configuration.restartTime.components.seconds) : nil
        }

        /// This node's address of the peer's family.
        func localAddress(toward peer: BGPAddress) -> BGPAddress? {
            addresses.first { $0.family == peer.family }
        }
    }

    /// Adds a peer unless it is this node or its address is taken (the first one stays).
    mutating func add(_ peer: BGPSpeakerPeer, from source: String) {
        guard !listenAddresses.contains(peer.address) else { return }
        if peers[peer.address] != nil {
            problems.append("\(source): peer \(peer.address) is already configured; the first one is kept")
            return
        }
        peers[peer.address] = peer
    }
}
