import BGP
import BGPSpeaker
import Foundation

/// What `rudder bgp peers` and `rudder bgp routes` print: text in the manner of `birdc show
/// protocols` and `gobgp neighbor`, one line per peer or route in columns, or JSON (`-o json`).
public enum BGPControlReport {
    /// One line per peer: address, AS, state, how long, prefix counts, the last error.
    public static func peers(_ peers: [BGPPeerStatus]) -> String {
        var rows = [["PEER", "AS", "STATE", "SINCE", "RECEIVED", "ACCEPTED", "ADVERTISED", "LAST ERROR"]]
        for peer in peers.sorted(by: { $0.address < $1.address }) {
            rows.append([
                "\(peer.address)" + (peer.dynamic ? " (dynamic)" : ""), "\(peer.remoteAS)", "\(peer.state)",
                peer.uptime.map(format) ?? "-", "\(peer.prefixesReceived)", "\(peer.prefixesAccepted)",
                "\(peer.prefixesAdvertised)", peer.lastError ?? "",
            ])
        }
        return table(rows)
    }

    /// One line per route: prefix, next hop, AS path, ORIGIN, MED, LOCAL_PREF, communities, where
    /// it came from.
    public static func routes(_ routes: [BGPRoute]) -> String {
        var rows = [["PREFIX", "NEXT HOP", "AS PATH", "ORIGIN", "MED", "LOCAL PREF", "COMMUNITIES", "FROM"]]
        for route in routes.sorted(by: { $0.prefix < $1.prefix }) {
            let attributes = route.attributes.attributes
            rows.append(
                ["\(route.prefix)" + (route.stale ? " (stale)" : ""), route.attributes.nextHop.map { "\($0)" } ?? "-"]
                    + columns(attributes) + ["\(route.source)"])
        }
        return table(rows)
    }

    /// One line per advertised route: prefix, next hop, AS path, ORIGIN, MED, LOCAL_PREF, communities.
    public static func advertised(_ routes: [BGPAdvertisedRoute]) -> String {
        var rows = [["PREFIX", "NEXT HOP", "AS PATH", "ORIGIN", "MED", "LOCAL PREF", "COMMUNITIES"]]
        for route in routes.sorted(by: { $0.prefix < $1.prefix }) {
            let nextHop = route.multiprotocolNextHop?.global ?? route.attributes.nextHop
            rows.append(["\(route.prefix)", nextHop.map { "\($0)" } ?? "-"] + columns(route.attributes))
        }
        return table(rows)
    }

    /// The peers as JSON (`rudder bgp peers -o json`): an array of objects, sorted by address.
    public static func peersJSON(_ peers: [BGPPeerStatus]) -> String {
        json(
            peers.sorted(by: { $0.address < $1.address }).map {
                PeerRecord(
                    address: "\($0.address)", dynamic: $0.dynamic, remoteAS: "\($0.remoteAS)", state: "\($0.state)",
                    establishedSeconds: $0.uptime.map { Int($0.components.seconds) }, received: $0.prefixesReceived,
                    accepted: $0.prefixesAccepted, advertised: $0.prefixesAdvertised, lastError: $0.lastError)
            })
    }

    /// Routes as JSON (`rudder bgp routes -o json`): an array of objects, sorted by prefix.
    public static func routesJSON(_ routes: [BGPRoute]) -> String {
        json(
            routes.sorted(by: { $0.prefix < $1.prefix }).map {
                RouteRecord(
                    $0.attributes.attributes, prefix: $0.prefix, nextHop: $0.attributes.nextHop, stale: $0.stale,
                    from: "\($0.source)")
            })
    }

    /// Advertised routes as JSON, as `routesJSON` without `stale` and `from`.
    public static func advertisedJSON(_ routes: [BGPAdvertisedRoute]) -> String {
        json(
            routes.sorted(by: { $0.prefix < $1.prefix }).map {
                RouteRecord(
                    $0.attributes, prefix: $0.prefix, nextHop: $0.multiprotocolNextHop?.global ?? $0.attributes.nextHop,
                    stale: nil, from: nil)
            })
    }

    /// One peer in JSON.
    struct PeerRecord: Encodable {
        var address: String, dynamic: Bool, remoteAS: String
        var state: String, establishedSeconds: Int?, received: Int
        var accepted: Int, advertised: Int, lastError: String?
    }

    /// One route in JSON: AS numbers as numbers, communities as "AS:value" text.
    struct RouteRecord: Encodable {
        var prefix: String, nextHop: String?, asPath: String
        var origin: String?, med: UInt32?, localPreference: UInt32?
        var communities: [String], largeCommunities: [String]
        var stale: Bool?, from: String?

        init(_ attributes: PathAttributes, prefix: BGPPrefix, nextHop: BGPAddress?, stale: Bool?, from: String?) {
            self.prefix = "\(prefix)"
            self.nextHop = nextHop.map { "\($0)" }
            asPath = attributes.asPath.map { "\($0)" } ?? ""
            origin = attributes.origin.map { "\($0)" }
            med = attributes.multiExitDiscriminator
            localPreference = attributes.localPreference
            communities = attributes.communities.map { "\($0)" }
            largeCommunities = attributes.largeCommunities.map { "\($0)" }
            self.stale = stale
            self.from = from
        }
    }

    private static func json(_ value: some Encodable) -> String { JSONListing.render(value) }

    /// AS path, ORIGIN, MED, LOCAL_PREF and communities, "-" where absent.
    private static func columns(_ attributes: PathAttributes) -> [String] {
        [
            attributes.asPath.map { "\($0)" } ?? "", attributes.origin.map { "\($0)" } ?? "-",
            attributes.multiExitDiscriminator.map { "\($0)" } ?? "-", attributes.localPreference.map { "\($0)" } ?? "-",
            communities(attributes),
        ]
    }

    private static func communities(_ attributes: PathAttributes) -> String {
        (attributes.communities.map { "\($0)" } + attributes.largeCommunities.map { "\($0)" }).joined(separator: " ")
    }

    private static func format(_ duration: Duration) -> String {
        let seconds = Int(duration.components.seconds)
        return String(format: "%02d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
    }

    private static func table(_ rows: [[String]]) -> String {
        rows.count > 1 ? TextTable.render(rows) : "(none)"
    }
}
