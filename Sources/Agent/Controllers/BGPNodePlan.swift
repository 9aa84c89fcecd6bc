import Addresses
import BGP
import Kubernetes
import PodRouting

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
        var problems: [String] = []
        let annotations = NodeBGPAnnotations(node.metadata.annotations)
        problems += annotations.problems.map { "node \(selfName): \($0)" }
        let own = Self.addresses(of: node)
        let routerID: UInt32
        if let configured = configuration.routerID?.ipv4Value {
            routerID = configured
        } else if let address = own.first(where: { $0.family == .ipv4 })?.ipv4Value {
            routerID = address
        } else {
            throw Unavailable(description: "node \(selfName) has no IPv4 address for a router ID; set bgp.routerID")
        }
        let localAS = annotations.asn ?? configuration.clusterAS
        let holdTime = UInt16(clamping: configuration.holdTime.components.seconds)
        let restart =
            configuration.gracefulRestart ? UInt16(clamping: configuration.restartTime.components.seconds) : nil

        var originated: [BGPPrefix: PathAttributes] = [:]
        var communities = annotations.communities
        var largeCommunities = annotations.largeCommunities
        for text in configuration.communities {
            switch NodeBGPAnnotations.community(text) {
            case .standard(let community): communities.append(community)
            case .large(let community): largeCommunities.append(community)
            case nil: break  // The configuration was validated when it was read.
            }
        }
        if configuration.advertisePodCIDRs {
            for text in NodeRoutes.podCIDRs(of: node) where !text.isEmpty {
                guard let prefix = BGPPrefix(text) else {
                    problems.append("node \(selfName): podCIDR '\(text)' is not a prefix; not advertised")
                    continue
                }
                var attributes = PathAttributes()
                attributes.communities = communities
                attributes.largeCommunities = largeCommunities
                originated[prefix] = attributes
            }
        }

        for vip in vips {
            var attributes = PathAttributes()
            attributes.communities = communities
            attributes.largeCommunities = largeCommunities
            originated[vip] = attributes
        }

        var peers: [BGPAddress: BGPSpeakerPeer] = [:]
        func add(_ peer: BGPSpeakerPeer, from source: String) {
            guard !own.contains(peer.address) else { return }
            if peers[peer.address] != nil {
                problems.append("\(source): peer \(peer.address) is already configured; the first one is kept")
                return
            }
            peers[peer.address] = peer
        }
        if configuration.nodeMesh {
            let mine = Self.reflectorRole(node.metadata.annotations)
            if case .invalid(let text) = mine {
                problems.append(
                    "node \(selfName): route reflector cluster ID '\(text)' is neither a number nor an IPv4 address")
            }
            for (name, other) in nodes.sorted(by: { $0.key < $1.key }) where name != selfName {
                let theirAS = NodeBGPAnnotations(other.metadata.annotations).asn ?? configuration.clusterAS
                guard theirAS == localAS else { continue }
                // kube-router's route reflector annotations: a client peers only with the servers of
                // its cluster ID; a server with every other server, and with its clients as clients.
                let theirs = Self.reflectorRole(other.metadata.annotations)
                var reflectToThem: UInt32?
                switch (mine, theirs) {
                case (.none, .none), (.server, .server): break
                case (.server(let id), .client(let theirID)) where id == theirID: reflectToThem = id
                case (.client(let id), .server(let theirID)) where id == theirID: break
                default: continue
                }
                for address in Self.addresses(of: other) where own.contains(where: { $0.family == address.family }) {
                    let peer = BGPPeerConfiguration(
                        peerAddress: address, remoteAS: .fixed(localAS), localAS: localAS, routerID: routerID,
                        localAddress: own.first { $0.family == address.family }, holdTime: holdTime,
                        routeReflectorClient: reflectToThem != nil, clusterID: reflectToThem,
                        importPolicy: .acceptAll, exportPolicy: .acceptAll, gracefulRestartTime: restart,
                        families: [address.family == .ipv4 ? .ipv4Unicast : .ipv6Unicast])
                    add(BGPSpeakerPeer(configuration: peer), from: "node \(name)")
                }
            }
        }
        let advertisesVIPs =
            configuration.advertiseClusterIPs || configuration.advertiseExternalIPs
            || configuration.advertiseLoadBalancerIPs
        let podCIDRs = originated.keys.filter { !vips.contains($0) }
        let export = Self.exportPolicy(
            podCIDRs: Array(podCIDRs), hostRoutes: advertisesVIPs, prepend: annotations.prepend?.count ?? 0)
        let importPolicy = Self.importPolicy(
            defaultRoute: configuration.importDefaultRoute, hostRoutes: configuration.importServiceVIPs)
        func external(
            address: BGPAddress, remoteAS: UInt32, localAddress: BGPAddress?, secret: String?, port: UInt16,
            multihop: UInt8, gtsm: Bool, passive: Bool, source: String
        ) {
            let peer = BGPPeerConfiguration(
                peerAddress: address, remoteAS: .fixed(remoteAS), localAS: localAS, routerID: routerID,
                localAddress: localAddress ?? own.first { $0.family == address.family }, holdTime: holdTime,
                passive: passive, multihopTTL: multihop > 1 ? multihop : nil, ttlSecurity: gtsm,
                importPolicy: importPolicy, exportPolicy: export, gracefulRestartTime: restart,
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
        return BGPNodePlan(
            routerID: routerID, localAS: localAS, listenAddresses: own, peers: peers, originated: originated,
            problems: problems)
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

    /// This node's pod CIDRs, and host routes when VIPs are advertised, leave it, with the
    /// annotated prepend.
    ///
    /// The policy names kinds of routes, not each VIP: a peer's policy is part of its session's
    /// configuration, and a Service that comes or goes must not reset the sessions. Learned host
    /// routes never reach the Loc-RIB unless `importServiceVIPs` (see `importPolicy`), so the
    /// host-route pattern matches only this node's own VIPs.
    static func exportPolicy(podCIDRs: [BGPPrefix], hostRoutes: Bool, prepend: Int) -> BGPPolicy {
        var patterns = podCIDRs.sorted().compactMap { BGPPrefixPattern($0) }
        if hostRoutes { patterns += hostRoutePatterns }
        let actions: [BGPPolicyAction] = prepend > 0 ? [.prependASPath(count: prepend)] : []
        return BGPPolicy(
            name: "rudder-export",
            rules: patterns.isEmpty ? [] : [.init(prefixes: patterns, actions: actions, decision: .accept)],
            acceptsByDefault: false, defaultRejectReason: "only this node's own routes are exported")
    }

    /// Every IPv4 /32 and IPv6 /128.
    static let hostRoutePatterns = [
        BGPPrefix("0.0.0.0/0").flatMap { BGPPrefixPattern($0, minimumLength: 32, maximumLength: 32) },
        BGPPrefix("::/0").flatMap { BGPPrefixPattern($0, minimumLength: 128, maximumLength: 128) },
    ].compactMap { $0 }

    /// Everything comes in but a default route and host routes (other nodes' VIPs), unless asked for.
    static func importPolicy(defaultRoute: Bool, hostRoutes: Bool) -> BGPPolicy {
        var rejected: [BGPPrefixPattern] = []
        if !defaultRoute {
            rejected += ["0.0.0.0/0", "::/0"].compactMap { BGPPrefix($0).flatMap { BGPPrefixPattern($0) } }
        }
        if !hostRoutes { rejected += hostRoutePatterns }
        return BGPPolicy(
            name: "rudder-import", rules: rejected.isEmpty ? [] : [.init(prefixes: rejected, decision: .reject)],
            acceptsByDefault: true)
    }

    /// The kernel route for a learned best route, or nil when it stays out of the kernel: this
    /// node's own routes, a default route and service VIPs (host routes) unless asked for, and
    /// routes without a usable next hop.
    public static func kernelRoute(
        for route: BGPRoute, configuration: RudderConfiguration.BGP
    ) -> PodRoute? {
        guard route.source.kind != .local, let nextHop = route.attributes.nextHop else { return nil }
        let address = IPAddress(nextHop)
        let prefix = IPPrefix(route.prefix)
        if route.prefix.length == 0 && !configuration.importDefaultRoute { return nil }
        let hostLength = route.prefix.address.family == .ipv4 ? 32 : 128
        if route.prefix.length == hostLength && !configuration.importServiceVIPs { return nil }
        return PodRoute(prefix: prefix, nextHops: [address])
    }
}
