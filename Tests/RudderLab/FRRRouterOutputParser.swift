import Foundation

/// Reads what `vtysh` prints for FRR 8's `show bgp ... json` commands.
public enum FRRRouterOutputParser {
    /// The state of `neighbor` from `show bgp neighbors ADDRESS json`.
    public static func sessionState(_ output: String, neighbor: String) throws -> BGPPeerLabSessionState {
        let subject = "vtysh show bgp neighbors"
        guard let object = try json(output, subject) as? [String: Any] else {
            throw BGPPeerLabError(subject, "not a JSON object: \(output.prefix(200))")
        }
        let entry = object.first { BGPPeerLabAddress.canonical($0.key) == BGPPeerLabAddress.canonical(neighbor) }
        guard let details = entry?.value as? [String: Any] else {
            throw BGPPeerLabError(subject, "no neighbor \(neighbor) in \(output.prefix(200))")
        }
        guard let text = details["bgpState"] as? String, let state = BGPPeerLabSessionState(routerText: text) else {
            throw BGPPeerLabError(subject, "\(neighbor): missing or unknown bgpState \(details["bgpState"] ?? "nil")")
        }
        return state
    }

    /// The prefixes from `show bgp FAMILY unicast neighbors ADDRESS routes json`.
    public static func prefixes(_ output: String) throws -> [String] {
        let subject = "vtysh show bgp neighbors routes"
        guard let object = try json(output, subject) as? [String: Any] else {
            throw BGPPeerLabError(subject, "not a JSON object: \(output.prefix(200))")
        }
        guard let routes = object["routes"] as? [String: Any] else { return [] }
        return try routes.keys.sorted().map { key in
            guard let prefix = BGPPeerLabAddress.canonicalPrefix(key) else {
                throw BGPPeerLabError(subject, "not a prefix: \"\(key)\"")
            }
            return prefix
        }
    }

    /// The paths of one prefix from `show bgp FAMILY unicast PREFIX json` that came from `neighbor`.
    public static func routes(_ output: String, from neighbor: String) throws -> [BGPPeerLabRoute] {
        let subject = "vtysh show bgp prefix"
        guard let object = try json(output, subject) as? [String: Any] else {
            throw BGPPeerLabError(subject, "not a JSON object: \(output.prefix(200))")
        }
        guard let key = object["prefix"] as? String, let prefix = BGPPeerLabAddress.canonicalPrefix(key) else {
            throw BGPPeerLabError(subject, "no valid \"prefix\" in \(output.prefix(200))")
        }
        func problem(_ text: String) -> BGPPeerLabError { BGPPeerLabError(subject, "\(prefix): \(text)") }
        guard let paths = object["paths"] as? [[String: Any]] else { throw problem("no paths list") }
        let wanted = BGPPeerLabAddress.canonical(neighbor)
        var result: [BGPPeerLabRoute] = []
        for path in paths {
            guard let peer = path["peer"] as? [String: Any], let peerID = peer["peerId"] as? String else {
                throw problem("a path without peer.peerId")
            }
            guard BGPPeerLabAddress.canonical(peerID) == wanted else { continue }
            result.append(try route(prefix: prefix, path: path, problem: problem))
        }
        return result
    }

    private static func route(
        prefix: String, path: [String: Any], problem: (String) -> BGPPeerLabError
    ) throws -> BGPPeerLabRoute {
        var asPath: [UInt32] = []
        if let aspath = path["aspath"] as? [String: Any] {
            for segment in aspath["segments"] as? [[String: Any]] ?? [] {
                guard let list = segment["list"] as? [Any] else { throw problem("AS path segment without list") }
                asPath += try list.map { value in
                    guard let number = value as? NSNumber, let asn = UInt32(exactly: number.doubleValue) else {
                        throw problem("bad AS number \(value)")
                    }
                    return asn
                }
            }
        }
        guard let hops = path["nexthops"] as? [[String: Any]] else { throw problem("no nexthops list") }
        // An IPv6 path lists its global next hop and then its link-local one.
        let chosen = hops.first { ($0["scope"] as? String ?? "global") == "global" }
        guard let text = chosen?["ip"] as? String, let nextHop = BGPPeerLabAddress.canonical(text) else {
            throw problem("no usable next hop in \(hops)")
        }
        let communities = try list(path["community"], problem).map { text in
            let parts = text.split(separator: ":")
            guard parts.count == 2, let asn = UInt16(parts[0]), let value = UInt16(parts[1]) else {
                throw problem("bad community \"\(text)\"")
            }
            return BGPPeerLabRoute.Community(asn, value)
        }
        let large = try list(path["largeCommunity"], problem).map { text in
            let parts = text.split(separator: ":")
            guard parts.count == 3, let global = UInt32(parts[0]), let local1 = UInt32(parts[1]),
                let local2 = UInt32(parts[2])
            else { throw problem("bad large community \"\(text)\"") }
            return BGPPeerLabRoute.LargeCommunity(global, local1, local2)
        }
        return BGPPeerLabRoute(
            prefix: prefix, nextHop: nextHop, asPath: asPath, communities: communities, largeCommunities: large)
    }

    /// The "list" of a `{"string": ..., "list": [...]}` community object; none when absent.
    private static func list(_ value: Any?, _ problem: (String) -> BGPPeerLabError) throws -> [String] {
        guard let value else { return [] }
        guard let object = value as? [String: Any], let list = object["list"] as? [String] else {
            throw problem("a community attribute without a list of strings")
        }
        return list
    }

    private static func json(_ output: String, _ subject: String) throws -> Any {
        do {
            return try JSONSerialization.jsonObject(with: Data(output.utf8))
        } catch {
            throw BGPPeerLabError(subject, "not JSON: \(output.prefix(200))")
        }
    }
}
