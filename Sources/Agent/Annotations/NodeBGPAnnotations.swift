import BGP
import Foundation
import Yams

/// What a Node's kube-router BGP annotations ask of this node's speaker.
///
/// Users moving from kube-router keep their Node annotations; these are read as they are there:
/// `kube-router.io/peers` (a YAML list of `remoteip`, `remoteasn`, `localip`, `password` in
/// base64, `port`), the older positional `kube-router.io/peer.ips` / `peer.asns` /
/// `peer.passwords` / `peer.localips` (used only without `peers`, as kube-router does),
/// `kube-router.io/node.asn`, `kube-router.io/path-prepend.as` with `path-prepend.repeat-n`, and
/// `kube-router.io/node.bgp.communities`. A bad value is reported and left out; the rest applies.
public struct NodeBGPAnnotations: Sendable, Equatable {
    /// An external peer from the annotations.
    public struct Peer: Sendable, Equatable, CustomStringConvertible {
        /// The peer's address.
        public var address: BGPAddress
        /// The peer's AS.
        public var remoteAS: UInt32
        /// The TCP MD5 password, decoded; never printed.
        public var password: String?
        /// The local address to connect from.
        public var localAddress: BGPAddress?
        /// The peer's port, when not 179.
        public var port: UInt16?

        /// "192.0.2.1 AS 65000, password set": the password itself never appears.
        public var description: String {
            var text = "\(address) AS \(remoteAS)"
            if let localAddress { text += " from \(localAddress)" }
            if let port { text += " port \(port)" }
            return text + (password == nil ? "" : ", password set")
        }
    }

    /// `kube-router.io/node.asn`: this node's AS, instead of the cluster's.
    public var asn: UInt32?
    /// External peers for this node.
    public var peers: [Peer] = []
    /// `kube-router.io/path-prepend.as` and `.repeat-n`: prepended to what this node advertises.
    public var prepend: (asn: UInt32, count: Int)?
    /// `kube-router.io/node.bgp.communities`: added to what this node advertises.
    public var communities: [BGPCommunity] = []
    /// Large communities from the same annotation (`a:b:c`).
    public var largeCommunities: [LargeCommunity] = []
    /// One line per value left out, naming the annotation and why.
    public var problems: [String] = []

    static let prefix = "kube-router.io/"

    /// Reads the annotations of one Node.
    public init(_ annotations: [String: String]) {
        if let text = annotations[Self.prefix + "node.asn"] {
            if let asn = Self.asn(text) { self.asn = asn } else { problem("node.asn", "'\(text)' is not an AS number") }
        }
        if let text = annotations[Self.prefix + "peers"] {
            readPeers(yaml: text)
        } else if annotations[Self.prefix + "peer.ips"] != nil {
            readPositionalPeers(annotations)
        }
        readPrepend(annotations)
        if let text = annotations[Self.prefix + "node.bgp.communities"] { readCommunities(text) }
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.asn == rhs.asn && lhs.peers == rhs.peers && lhs.prepend?.asn == rhs.prepend?.asn
            && lhs.prepend?.count == rhs.prepend?.count && lhs.communities == rhs.communities
            && lhs.largeCommunities == rhs.largeCommunities && lhs.problems == rhs.problems
    }

    private mutating func problem(_ annotation: String, _ reason: String) {
        problems.append("\(Self.prefix)\(annotation): \(reason)")
    }

    private static func asn(_ text: some StringProtocol) -> UInt32? {
        guard let value = UInt32(text.trimmingCharacters(in: .whitespaces)), value != 0 else { return nil }
        return value
    }

    private mutating func readPeers(yaml: String) {
        let loaded: Any?
        do {
            loaded = try Yams.load(yaml: yaml)
        } catch {
            problem("peers", "not YAML (\(error)); no peers from it")
            return
        }
        guard let list = loaded as? [Any] else {
            problem("peers", "expected a YAML list of peers")
            return
        }
        for (index, item) in list.enumerated() {
            guard let entry = item as? [String: Any] else {
                problem("peers", "item \(index + 1) is not a mapping")
                continue
            }
            let position = "item \(index + 1)"
            guard let remote = entry["remoteip"].map({ "\($0)" }), let address = BGPAddress(remote) else {
                problem("peers", "\(position): remoteip is missing or not an IP address")
                continue
            }
            guard let asn = entry["remoteasn"].map({ "\($0)" }).flatMap(Self.asn) else {
                problem("peers", "\(position) (\(address)): remoteasn is missing or not an AS number")
                continue
            }
            var peer = Peer(address: address, remoteAS: asn)
            if let local = entry["localip"].map({ "\($0)" }), !local.isEmpty {
                guard let localAddress = BGPAddress(local) else {
                    problem("peers", "\(position) (\(address)): localip '\(local)' is not an IP address")
                    continue
                }
                peer.localAddress = localAddress
            }
            if let encoded = entry["password"].map({ "\($0)" }), !encoded.isEmpty {
                guard let password = Self.decodePassword(encoded) else {
                    problem("peers", "\(position) (\(address)): password is not base64")
                    continue
                }
                peer.password = password
            }
            if let port = entry["port"] {
                guard let number = UInt16("\(port)"), number > 0 else {
                    problem("peers", "\(position) (\(address)): port '\(port)' is not a port")
                    continue
                }
                peer.port = number
            }
            peers.append(peer)
        }
    }

    /// The older form: parallel comma-separated lists, the n-th entries describing the n-th peer.
    private mutating func readPositionalPeers(_ annotations: [String: String]) {
        func list(_ name: String) -> [String]? {
            annotations[Self.prefix + name].map {
                $0.split(separator: ",", omittingEmptySubsequences: false).map {
                    $0.trimmingCharacters(in: .whitespaces)
                }
            }
        }
        let ips = list("peer.ips") ?? []
        guard let asns = list("peer.asns"), asns.count == ips.count else {
            problem(
                "peer.asns",
                "needs one AS number for each of the \(ips.count) addresses in peer.ips; no peers from them")
            return
        }
        let passwords = list("peer.passwords")
        let locals = list("peer.localips")
        if let passwords, passwords.count != ips.count {
            problem("peer.passwords", "needs one entry (or an empty one) for each peer; no peers from them")
            return
        }
        if let locals, locals.count != ips.count {
            problem("peer.localips", "needs one entry (or an empty one) for each peer; no peers from them")
            return
        }
        for (index, ip) in ips.enumerated() {
            guard let address = BGPAddress(ip) else {
                problem("peer.ips", "'\(ip)' is not an IP address")
                continue
            }
            guard let asn = Self.asn(asns[index]) else {
                problem("peer.asns", "'\(asns[index])' (for \(address)) is not an AS number")
                continue
            }
            var peer = Peer(address: address, remoteAS: asn)
            if let encoded = passwords?[index], !encoded.isEmpty {
                guard let password = Self.decodePassword(encoded) else {
                    problem("peer.passwords", "the entry for \(address) is not base64")
                    continue
                }
                peer.password = password
            }
            if let local = locals?[index], !local.isEmpty {
                guard let localAddress = BGPAddress(local) else {
                    problem("peer.localips", "'\(local)' (for \(address)) is not an IP address")
                    continue
                }
                peer.localAddress = localAddress
            }
            peers.append(peer)
        }
    }

    private mutating func readPrepend(_ annotations: [String: String]) {
        let asText = annotations[Self.prefix + "path-prepend.as"]
        let countText = annotations[Self.prefix + "path-prepend.repeat-n"]
        guard asText != nil || countText != nil else { return }
        guard let asText, let asn = Self.asn(asText) else {
            problem("path-prepend.as", "missing or not an AS number; nothing is prepended")
            return
        }
        guard let countText, let count = Int(countText.trimmingCharacters(in: .whitespaces)), (1...32).contains(count)
        else {
            problem("path-prepend.repeat-n", "missing or not a count 1...32; nothing is prepended")
            return
        }
        prepend = (asn, count)
    }

    private mutating func readCommunities(_ text: String) {
        for item in text.split(whereSeparator: { $0 == "," || $0 == " " }) {
            switch Self.community(String(item)) {
            case .standard(let community): communities.append(community)
            case .large(let community): largeCommunities.append(community)
            case nil:
                problem("node.bgp.communities", "'\(item)' is not a community (65000:100, 65000:1:2 or no-export)")
            }
        }
    }

    /// One community as kube-router and BIRD write it: `65000:100`, a large `65000:1:2`, a number,
    /// or a well-known name such as `no-export`.
    public enum Community: Equatable, Sendable {
        case standard(BGPCommunity)
        case large(LargeCommunity)
    }

    /// The community `text` names, or nil.
    public static func community(_ text: String) -> Community? {
        let named: [String: BGPCommunity] = [
            "no-export": .noExport, "no-advertise": .noAdvertise, "no-export-subconfed": .noExportSubconfed,
            "no-peer": .noPeer, "blackhole": .blackhole, "graceful-shutdown": .gracefulShutdown,
        ]
        if let community = named[text.lowercased()] { return .standard(community) }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 2, let high = UInt16(parts[0]), let low = UInt16(parts[1]) {
            return .standard(BGPCommunity(asn: high, value: low))
        }
        if parts.count == 3, let global = UInt32(parts[0]), let first = UInt32(parts[1]), let second = UInt32(parts[2])
        {
            return .large(LargeCommunity(global, first, second))
        }
        if parts.count == 1, let raw = UInt32(text) { return .standard(BGPCommunity(rawValue: raw)) }
        return nil
    }

    private static func decodePassword(_ encoded: String) -> String? {
        guard let data = Data(base64Encoded: encoded.trimmingCharacters(in: .whitespaces)),
            let text = String(data: data, encoding: .utf8)
        else { return nil }
        // kube-router's own example encodes with a trailing newline (`echo ... | base64`).
        return text.hasSuffix("\n") ? String(text.dropLast()) : text
    }
}
