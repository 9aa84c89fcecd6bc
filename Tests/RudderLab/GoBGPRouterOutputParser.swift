import Foundation

/// Reads what the `gobgp` CLI prints with `-j` (GoBGP 3.x JSON).
public enum GoBGPRouterOutputParser {
    /// The session state from `gobgp neighbor ADDRESS -j`.
    public static func sessionState(_ output: String) throws -> BGPPeerLabSessionState {
        let subject = "gobgp neighbor"
        guard let object = try json(output, subject) as? [String: Any], let state = object["state"] as? [String: Any]
        else { throw BGPPeerLabError(subject, "no \"state\" object in \(output.prefix(200))") }
        // The API's SessionState enum: 0 unknown, 1 idle, 2 connect, 3 active, 4 opensent, 5 openconfirm, 6 established.
        let states: [BGPPeerLabSessionState] = [.idle, .idle, .connect, .active, .openSent, .openConfirm, .established]
        switch state["session_state"] {
        case nil:
            return .idle  // zero values are left out of the JSON
        case let number as Int where states.indices.contains(number):
            return states[number]
        case let text as String:
            guard let parsed = BGPPeerLabSessionState(routerText: text) else {
                throw BGPPeerLabError(subject, "unknown session_state \"\(text)\"")
            }
            return parsed
        case let other?:
            throw BGPPeerLabError(subject, "unknown session_state \(other)")
        }
    }

    /// The routes from `gobgp neighbor ADDRESS adj-in -a FAMILY -j` (an object of prefix → paths).
    public static func routes(_ output: String) throws -> [BGPPeerLabRoute] {
        let subject = "gobgp adj-in"
        if output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return [] }
        guard let table = try json(output, subject) as? [String: Any] else {
            throw BGPPeerLabError(subject, "not a JSON object: \(output.prefix(200))")
        }
        var routes: [BGPPeerLabRoute] = []
        for (key, value) in table.sorted(by: { $0.key < $1.key }) {
            guard let prefix = BGPPeerLabAddress.canonicalPrefix(key) else {
                throw BGPPeerLabError(subject, "not a prefix: \"\(key)\"")
            }
            guard let paths = value as? [[String: Any]] else {
                throw BGPPeerLabError(subject, "\(prefix): paths are not a list of objects")
            }
            for path in paths {
                routes.append(try route(prefix: prefix, path: path, subject: subject))
            }
        }
        return routes
    }

    private static func route(prefix: String, path: [String: Any], subject: String) throws -> BGPPeerLabRoute {
        func problem(_ text: String) -> BGPPeerLabError { BGPPeerLabError(subject, "\(prefix): \(text)") }
        guard let attributes = path["attrs"] as? [[String: Any]] else { throw problem("no attrs list") }
        var nextHop: String?
        var asPath: [UInt32] = []
        var communities: [BGPPeerLabRoute.Community] = []
        var large: [BGPPeerLabRoute.LargeCommunity] = []
        for attribute in attributes {
            switch attribute["type"] as? Int {
            case 2:
                for segment in attribute["as_paths"] as? [[String: Any]] ?? [] {
                    guard let numbers = segment["asns"] as? [Any] else { throw problem("AS path segment without asns") }
                    asPath += try numbers.map { try uint32($0, "AS number", problem) }
                }
            case 3, 14:
                guard let hop = attribute["nexthop"] as? String, let address = BGPPeerLabAddress.canonical(hop) else {
                    throw problem("bad next hop in \(attribute)")
                }
                nextHop = address
            case 8:
                guard let values = attribute["communities"] as? [Any] else { throw problem("communities not a list") }
                communities += try values.map {
                    BGPPeerLabRoute.Community(rawValue: try uint32($0, "community", problem))
                }
            case 32:
                guard let values = attribute["value"] as? [[String: Any]] else {
                    throw problem("large communities not a list")
                }
                large += try values.map { entry in
                    BGPPeerLabRoute.LargeCommunity(
                        try uint32(entry["ASN"] ?? 0, "large community", problem),
                        try uint32(entry["LocalData1"] ?? 0, "large community", problem),
                        try uint32(entry["LocalData2"] ?? 0, "large community", problem))
                }
            case nil:
                throw problem("attribute without a numeric type")
            default:
                continue
            }
        }
        guard let nextHop else { throw problem("no next hop") }
        return BGPPeerLabRoute(
            prefix: prefix, nextHop: nextHop, asPath: asPath, communities: communities, largeCommunities: large)
    }

    private static func uint32(_ value: Any, _ what: String, _ problem: (String) -> BGPPeerLabError) throws -> UInt32 {
        guard let number = value as? NSNumber, let result = UInt32(exactly: number.doubleValue) else {
            throw problem("bad \(what) \(value)")
        }
        return result
    }

    private static func json(_ output: String, _ subject: String) throws -> Any {
        do {
            return try JSONSerialization.jsonObject(with: Data(output.utf8), options: [.fragmentsAllowed])
        } catch {
            throw BGPPeerLabError(subject, "not JSON: \(output.prefix(200))")
        }
    }
}
