import BGP
import Yams

extension RudderConfiguration {
    /// The `bgp` section: the node's BGP speaker, its peers, and what it advertises and imports.
    public struct BGP: Sendable, Equatable, Section {
        /// An external peer every node peers with (kube-router's `--peer-router-ips`).
        public struct Peer: Sendable, Equatable, CustomStringConvertible {
            /// The peer's address.
            public var address: BGPAddress
            /// The peer's AS.
            public var remoteAS: UInt32
            /// A file holding the TCP MD5 password (a mounted Secret); the password is never in the
            /// configuration file, a log or a metric.
            public var passwordFile: String?
            /// The local address to connect from; default: the node's address of the peer's family.
            public var localAddress: BGPAddress?
            /// The peer's port.
            public var port: UInt16
            /// Hops to the peer (eBGP multihop TTL); 1 for a directly connected router.
            public var multihop: UInt8
            /// Whether GTSM (RFC 5082) protects the session: TTL 255 sent, 255 − hops + 1 required.
            public var gtsm: Bool
            /// Whether the node waits for the peer to connect instead of connecting itself.
            public var passive: Bool

            /// A peer with the defaults for everything but its address and AS.
            public init(
                address: BGPAddress, remoteAS: UInt32, passwordFile: String? = nil, localAddress: BGPAddress? = nil,
                port: UInt16 = 179, multihop: UInt8 = 1, gtsm: Bool = false, passive: Bool = false
            ) {
                self.address = address
                self.remoteAS = remoteAS
                self.passwordFile = passwordFile
                self.localAddress = localAddress
                self.port = port
                self.multihop = multihop
                self.gtsm = gtsm
                self.passive = passive
            }

            /// "192.0.2.1 AS 65000": the password file's name is no secret, but is left out too.
            public var description: String { "\(address) AS \(remoteAS)" }

            static let keys = [
                "address", "remoteAS", "passwordFile", "localAddress", "port", "multihop", "gtsm", "passive",
            ]
        }

        /// Whether the node runs its BGP speaker.
        public var enabled: Bool
        /// The cluster's AS (kube-router's `--cluster-asn`); a Node's `kube-router.io/node.asn` wins.
        public var clusterAS: UInt32
        /// The BGP identifier; default: the node's IPv4 InternalIP.
        public var routerID: BGPAddress?
        /// The port the speaker listens on.
        public var port: UInt16
        /// The hold time offered to peers.
        public var holdTime: Duration
        /// Whether every node peers with every other node of its AS (iBGP full mesh).
        public var nodeMesh: Bool
        /// External peers of every node.
        public var peers: [Peer]
        /// Whether graceful restart (RFC 4724) is offered: peers keep this node's routes across a restart.
        public var gracefulRestart: Bool
        /// How long peers keep this node's routes after it goes away.
        public var restartTime: Duration
        /// Advertise this node's pod CIDRs.
        public var advertisePodCIDRs: Bool
        /// Advertise Services' ClusterIPs.
        public var advertiseClusterIPs: Bool
        /// Advertise Services' external IPs.
        public var advertiseExternalIPs: Bool
        /// Advertise Services' load-balancer IPs.
        public var advertiseLoadBalancerIPs: Bool
        /// Communities added to every route this node advertises (`65000:100`, `no-export`, `65000:1:2`).
        public var communities: [String]
        /// Install learned routes to service VIPs in the kernel (off: only pod CIDRs are installed).
        public var importServiceVIPs: Bool
        /// Install a learned default route in the kernel.
        public var importDefaultRoute: Bool

        /// The section; every argument defaults to what an empty section gives.
        public init(
            enabled: Bool = false, clusterAS: UInt32 = 64512, routerID: BGPAddress? = nil, port: UInt16 = 179,
            holdTime: Duration = .seconds(90), nodeMesh: Bool = true, peers: [Peer] = [],
            gracefulRestart: Bool = true, restartTime: Duration = .seconds(120), advertisePodCIDRs: Bool = true,
            advertiseClusterIPs: Bool = false, advertiseExternalIPs: Bool = false,
            advertiseLoadBalancerIPs: Bool = false, communities: [String] = [], importServiceVIPs: Bool = false,
            importDefaultRoute: Bool = false
        ) {
            self.enabled = enabled
            self.clusterAS = clusterAS
            self.routerID = routerID
            self.port = port
            self.holdTime = holdTime
            self.nodeMesh = nodeMesh
            self.peers = peers
            self.gracefulRestart = gracefulRestart
            self.restartTime = restartTime
            self.advertisePodCIDRs = advertisePodCIDRs
            self.advertiseClusterIPs = advertiseClusterIPs
            self.advertiseExternalIPs = advertiseExternalIPs
            self.advertiseLoadBalancerIPs = advertiseLoadBalancerIPs
            self.communities = communities
            self.importServiceVIPs = importServiceVIPs
            self.importDefaultRoute = importDefaultRoute
        }

        static let key = "bgp"
        static let keys = [
            "enabled", "clusterAS", "routerID", "port", "holdTime", "nodeMesh", "peers", "gracefulRestart",
            "restartTime", "advertisePodCIDRs", "advertiseClusterIPs", "advertiseExternalIPs",
            "advertiseLoadBalancerIPs", "communities", "importServiceVIPs", "importDefaultRoute",
        ]

        init(reading mapping: YAMLReader.Mapping, over defaults: BGP, with reader: inout YAMLReader) {
            self = defaults
            enabled = reader.bool("enabled", in: mapping) ?? enabled
            clusterAS = reader.integer("clusterAS", in: mapping, range: 1...UInt32.max) ?? clusterAS
            if let text = reader.string("routerID", in: mapping), let node = mapping["routerID"] {
                if let address = BGPAddress(text), address.family == .ipv4 {
                    routerID = address
                } else {
                    reader.report("\(mapping.path(of: "routerID")): '\(text)' is not an IPv4 address", at: node)
                }
            }
            port = reader.integer("port", in: mapping, range: 1...UInt16.max) ?? port
            holdTime =
                reader.duration(
                    "holdTime", in: mapping, minimum: .seconds(3), allowingZero: true,
                    reason: "RFC 4271: 0, for no keepalives, or at least 3 s")
                ?? holdTime
            nodeMesh = reader.bool("nodeMesh", in: mapping) ?? nodeMesh
            gracefulRestart = reader.bool("gracefulRestart", in: mapping) ?? gracefulRestart
            restartTime =
                reader.duration("restartTime", in: mapping, minimum: .seconds(1), reason: "peers must keep routes")
                ?? restartTime
            advertisePodCIDRs = reader.bool("advertisePodCIDRs", in: mapping) ?? advertisePodCIDRs
            advertiseClusterIPs = reader.bool("advertiseClusterIPs", in: mapping) ?? advertiseClusterIPs
            advertiseExternalIPs = reader.bool("advertiseExternalIPs", in: mapping) ?? advertiseExternalIPs
            advertiseLoadBalancerIPs = reader.bool("advertiseLoadBalancerIPs", in: mapping) ?? advertiseLoadBalancerIPs
            importServiceVIPs = reader.bool("importServiceVIPs", in: mapping) ?? importServiceVIPs
            importDefaultRoute = reader.bool("importDefaultRoute", in: mapping) ?? importDefaultRoute
            if let node = mapping["communities"],
                let items = reader.sequence(
                    node, path: mapping.path(of: "communities"), expected: "a list of communities"),
                let values = reader.uniqueItems(
                    items, path: mapping.path(of: "communities"), expected: "a community such as 65000:100",
                    parse: { text in
                        NodeBGPAnnotations.community(text) != nil
                            ? .success(text)
                            : .failure(
                                .init(message: "'\(text)' is not a community (65000:100, 65000:1:2 or no-export)"))
                    }, duplicate: { "'\($0)' is listed twice" })
            {
                communities = values
            }
            if let node = mapping["peers"],
                let items = reader.sequence(node, path: mapping.path(of: "peers"), expected: "a list of peers")
            {
                var read: [Peer] = []
                var valid = true
                for (index, item) in items.enumerated() {
                    let path = "\(mapping.path(of: "peers"))[\(index)]"
                    if let peer = Self.readPeer(item, path: path, with: &reader) {
                        if read.contains(where: { $0.address == peer.address }) {
                            reader.report("\(path): peer \(peer.address) is listed twice", at: item)
                            valid = false
                        } else {
                            read.append(peer)
                        }
                    } else {
                        valid = false
                    }
                }
                if valid { peers = read }
            }
        }

        private static func readPeer(_ item: Node, path: String, with reader: inout YAMLReader) -> Peer? {
            guard let mapping = reader.mapping(item, path: path, keys: Peer.keys) else { return nil }
            let problemsBefore = reader.problems.count
            var address: BGPAddress?
            if let text = reader.string("address", in: mapping), let node = mapping["address"] {
                address = BGPAddress(text)
                if address == nil {
                    reader.report("\(mapping.path(of: "address")): '\(text)' is not an IP address", at: node)
                }
            } else if mapping["address"] == nil {
                reader.reportMissing("\(path): the peer has no 'address'", in: mapping, key: "address")
            }
            let remoteAS: UInt32? = reader.integer("remoteAS", in: mapping, range: 1...UInt32.max)
            if mapping["remoteAS"] == nil {
                reader.reportMissing("\(path): the peer has no 'remoteAS'", in: mapping, key: "remoteAS")
            }
            var localAddress: BGPAddress?
            if let text = reader.string("localAddress", in: mapping), let node = mapping["localAddress"] {
                localAddress = BGPAddress(text)
                if localAddress == nil {
                    reader.report("\(mapping.path(of: "localAddress")): '\(text)' is not an IP address", at: node)
                }
            }
            guard let address, let remoteAS, reader.problems.count == problemsBefore else {
                _ = reader.string("passwordFile", in: mapping)
                return nil
            }
            var peer = Peer(address: address, remoteAS: remoteAS, localAddress: localAddress)
            peer.passwordFile = reader.string("passwordFile", in: mapping)
            peer.port = reader.integer("port", in: mapping, range: 1...UInt16.max) ?? peer.port
            peer.multihop = reader.integer("multihop", in: mapping, range: 1...255) ?? peer.multihop
            peer.gtsm = reader.bool("gtsm", in: mapping) ?? peer.gtsm
            peer.passive = reader.bool("passive", in: mapping) ?? peer.passive
            return reader.problems.count == problemsBefore ? peer : nil
        }
    }
}
