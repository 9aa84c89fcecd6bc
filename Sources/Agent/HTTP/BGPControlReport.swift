import BGP
import BGPSpeaker
import Foundation

/// The text `rudder bgp peers` and `rudder bgp routes` print, in the manner of `birdc show
/// protocols` and `gobgp neighbor`: one line per peer or route, in columns.
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

    /// One line per route: prefix, next hop, AS path, communities, where it came from.
    public static func routes(_ routes: [BGPRoute]) -> String {
        var rows = [["PREFIX", "NEXT HOP", "AS PATH", "COMMUNITIES", "FROM"]]
        for route in routes.sorted(by: { $0.prefix < $1.prefix }) {
            let attributes = route.attributes.attributes
            rows.append([
                "\(route.prefix)" + (route.stale ? " (stale)" : ""), route.attributes.nextHop.map { "\($0)" } ?? "-",
                attributes.asPath.map { "\($0)" } ?? "", communities(attributes), "\(route.source)",
            ])
        }
        return table(rows)
    }

    /// One line per advertised route: prefix, next hop, AS path, communities.
    public static func advertised(_ routes: [BGPAdvertisedRoute]) -> String {
        var rows = [["PREFIX", "NEXT HOP", "AS PATH", "COMMUNITIES"]]
        for route in routes.sorted(by: { $0.prefix < $1.prefix }) {
            let nextHop = route.multiprotocolNextHop?.global ?? route.attributes.nextHop
            rows.append([
                "\(route.prefix)", nextHop.map { "\($0)" } ?? "-", route.attributes.asPath.map { "\($0)" } ?? "",
                communities(route.attributes),
            ])
        }
        return table(rows)
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
