import Foundation

/// Reads what `birdc` prints for `show protocols all` and `show route ... all` (BIRD 2.0).
public enum BirdRouterOutputParser {
    /// One protocol from `show protocols all`.
    public struct ProtocolStatus: Sendable, Equatable {
        /// The protocol's name ("peer0", "range0_1").
        public var name: String
        /// The protocol type ("BGP", "Static", ...).
        public var type: String
        /// For BGP: the session state.
        public var sessionState: BGPPeerLabSessionState?
        /// For BGP: the neighbor's address, canonical.
        public var neighborAddress: String?
    }

    /// The protocols listed by `show protocols all`.
    public static func protocols(_ output: String) throws -> [ProtocolStatus] {
        var result: [ProtocolStatus] = []
        for line in output.split(separator: "\n", omittingEmptySubsequences: true) {
            guard let first = line.first else { continue }
            if first != " " && first != "\t" {
                if line.hasPrefix("BIRD ") || line.hasPrefix("Name ") { continue }
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count >= 2 else {
                    throw BGPPeerLabError("birdc show protocols", "a protocol line has no type: \"\(line)\"")
                }
                result.append(ProtocolStatus(name: String(fields[0]), type: String(fields[1])))
                continue
            }
            guard !result.isEmpty else {
                throw BGPPeerLabError("birdc show protocols", "detail before any protocol: \"\(line)\"")
            }
            let (key, value) = keyValue(line)
            switch key {
            case "BGP state":
                guard let state = BGPPeerLabSessionState(routerText: value) else {
                    throw BGPPeerLabError("birdc show protocols", "unknown BGP state \"\(value)\"")
                }
                result[result.count - 1].sessionState = state
            case "Neighbor address":
                guard let address = BGPPeerLabAddress.canonical(value) else {
                    throw BGPPeerLabError("birdc show protocols", "bad neighbor address \"\(value)\"")
                }
                result[result.count - 1].neighborAddress = address
            default:
                continue
            }
        }
        return result
    }

    /// The routes listed by `show route ... all`, every route of every prefix (not only the best).
    public static func routes(_ output: String) throws -> [BGPPeerLabRoute] {
        var routes: [PartialRoute] = []
        var lastPrefix: String?
        var lastKey = ""
        for line in output.split(separator: "\n", omittingEmptySubsequences: true) {
            guard let first = line.first else { continue }
            if first == "\t" {
                guard !routes.isEmpty else {
                    throw BGPPeerLabError("birdc show route", "an attribute before any route: \"\(line)\"")
                }
                let text = line.trimmingCharacters(in: .whitespaces)
                if text.hasPrefix("("), lastKey == "BGP.community" || lastKey == "BGP.large_community" {
                    // A long community list continues on lines of its own.
                    try routes[routes.count - 1].add(key: lastKey, value: text)
                    continue
                }
                if text.hasPrefix("via ") {
                    let fields = text.split(separator: " ")
                    if routes[routes.count - 1].via == nil, fields.count >= 2 {
                        routes[routes.count - 1].via = String(fields[1])
                    }
                    continue
                }
                let (key, value) = keyValue(line)
                lastKey = key
                try routes[routes.count - 1].add(key: key, value: value)
                continue
            }
            if line.hasPrefix("BIRD ") || line.hasPrefix("Table ") { continue }
            if first == " " {
                // Another route for the prefix above.
                guard let prefix = lastPrefix else {
                    throw BGPPeerLabError("birdc show route", "a route without a prefix: \"\(line)\"")
                }
                routes.append(PartialRoute(prefix: prefix))
                continue
            }
            let token = line.prefix { $0 != " " && $0 != "\t" }
            guard let prefix = BGPPeerLabAddress.canonicalPrefix(token) else {
                throw BGPPeerLabError("birdc show route", "not a prefix: \"\(token)\" in \"\(line)\"")
            }
            lastPrefix = prefix
            routes.append(PartialRoute(prefix: prefix))
        }
        return try routes.map { try $0.route() }
    }

    /// "  Key:   value" as ("Key", "value"); a line without a colon gives ("", line).
    private static func keyValue(_ line: Substring) -> (String, String) {
        guard let colon = line.firstIndex(of: ":") else { return ("", line.trimmingCharacters(in: .whitespaces)) }
        return (
            line[..<colon].trimmingCharacters(in: .whitespaces),
            line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        )
    }

    private struct PartialRoute {
        var prefix: String
        var via: String?
        var nextHop: String?
        var asPath: [UInt32] = []
        var communities: [BGPPeerLabRoute.Community] = []
        var largeCommunities: [BGPPeerLabRoute.LargeCommunity] = []

        init(prefix: String) {
            self.prefix = prefix
        }

        mutating func add(key: String, value: String) throws {
            switch key {
            case "BGP.as_path":
                asPath = try value.split(whereSeparator: { " {}".contains($0) }).map { token in
                    guard let asn = UInt32(token) else { throw problem("bad AS number \"\(token)\" in AS path") }
                    return asn
                }
            case "BGP.next_hop":
                guard let first = value.split(separator: " ").first, let address = BGPPeerLabAddress.canonical(first)
                else { throw problem("bad next hop \"\(value)\"") }
                nextHop = address
            case "BGP.community":
                communities += try tuples(value, count: 2).map { parts in
                    guard let asn = UInt16(parts[0]), let number = UInt16(parts[1]) else {
                        throw problem("bad community (\(parts.joined(separator: ",")))")
                    }
                    return BGPPeerLabRoute.Community(asn, number)
                }
            case "BGP.large_community":
                largeCommunities += try tuples(value, count: 3).map { parts in
                    guard let global = UInt32(parts[0]), let local1 = UInt32(parts[1]), let local2 = UInt32(parts[2])
                    else { throw problem("bad large community (\(parts.joined(separator: ",")))") }
                    return BGPPeerLabRoute.LargeCommunity(global, local1, local2)
                }
            default:
                return
            }
        }

        /// "(a,b) (c,d)" as [["a","b"],["c","d"]], each with exactly `count` parts.
        func tuples(_ text: String, count: Int) throws -> [[String]] {
            var result: [[String]] = []
            var rest = Substring(text)
            while let open = rest.firstIndex(of: "(") {
                guard let close = rest[open...].firstIndex(of: ")") else { throw problem("unclosed \"(\" in \(text)") }
                let parts = rest[rest.index(after: open)..<close].split(separator: ",").map {
                    $0.trimmingCharacters(in: .whitespaces)
                }
                guard parts.count == count else { throw problem("expected \(count) parts in \(rest[open...close])") }
                result.append(parts)
                rest = rest[rest.index(after: close)...]
            }
            return result
        }

        func route() throws -> BGPPeerLabRoute {
            guard let hop = nextHop ?? via.flatMap({ BGPPeerLabAddress.canonical($0) }) else {
                throw problem("no next hop")
            }
            return BGPPeerLabRoute(
                prefix: prefix, nextHop: hop, asPath: asPath, communities: communities,
                largeCommunities: largeCommunities)
        }

        func problem(_ text: String) -> BGPPeerLabError {
            BGPPeerLabError("birdc show route", "\(prefix): \(text)")
        }
    }
}
