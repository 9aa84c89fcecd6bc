/// The text of a BIRD 2 configuration for a lab router, built from a `BGPPeerLabRouterConfiguration`.
///
/// Originated routes live in a separate file (`staticFile`) included by the main one, so routes can
/// be added or withdrawn by rewriting that file and asking BIRD to reconfigure.
public enum BirdRouterConfigFile {
    /// The main configuration; `staticFile` is the path of the included static-routes file.
    ///
    /// `kernelMergePaths` adds kernel protocols that export BGP routes to the namespace's kernel
    /// tables with `merge paths on`, so a prefix learned from several neighbors becomes one ECMP route.
    /// `extraIncludes` are further files to include, such as a `BirdRouterBulkRoutes` table.
    public static func main(
        _ configuration: BGPPeerLabRouterConfiguration, staticFile: String, kernelMergePaths: Bool = false,
        extraIncludes: [String] = []
    ) -> String {
        var lines = [
            "# Generated for a Rudder BGP lab router.",
            "router id \(configuration.routerID);",
            "log stderr all;",
            "protocol device { scan time 10; }",
            "include \"\(staticFile)\";",
        ]
        lines += extraIncludes.map { "include \"\($0)\";" }
        if kernelMergePaths {
            for family in ["ipv4", "ipv6"] {
                lines.append(
                    "protocol kernel kernel_\(family) { merge paths on; \(family) { import none; "
                        + "export where source = RTS_BGP; }; }")
            }
        }
        // Short retry timers: a lab session should come up (or retry after a refused MD5 SYN) in seconds.
        let timers = "connect delay time 1; connect retry time 2; error wait time 1, 5;"
        for (index, neighbor) in configuration.neighbors.enumerated() {
            let family = neighbor.isIPv6 ? "ipv6" : "ipv4"
            var body = [
                "local \(localAddress(configuration, ipv6: neighbor.isIPv6)) as \(configuration.localAS);",
                "neighbor \(neighbor.address) as \(neighbor.remoteAS);",
                timers,
            ]
            if let password = neighbor.password { body.append("password \"\(password)\";") }
            if neighbor.passive { body.append("passive on;") }
            if !neighbor.fourOctetAS { body.append("enable as4 off;") }
            body.append(channel(family))
            lines.append("protocol bgp peer\(index) {\n    " + body.joined(separator: "\n    ") + "\n}")
        }
        for (index, range) in configuration.neighborRanges.enumerated() {
            let family = range.isIPv6 ? "ipv6" : "ipv4"
            var body = [
                "local \(localAddress(configuration, ipv6: range.isIPv6)) as \(configuration.localAS);",
                "neighbor range \(range.prefix) as \(range.remoteAS);",
                "dynamic name \"range\(index)_\";",
                timers,
            ]
            if let password = range.password { body.append("password \"\(password)\";") }
            body.append(channel(family))
            lines.append("protocol bgp range\(index) {\n    " + body.joined(separator: "\n    ") + "\n}")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The included file: one static protocol per address family holding `routes`, each with its communities.
    public static func staticRoutes(_ routes: [BGPPeerLabOriginatedRoute]) -> String {
        var text = "# Routes this lab router originates.\n"
        for (family, isIPv6) in [("ipv4", false), ("ipv6", true)] {
            text += "protocol static lab_\(family) {\n    \(family);\n"
            for route in routes where route.isIPv6 == isIPv6 {
                var actions = route.communities.map { "bgp_community.add((\($0.asn),\($0.value)));" }
                actions += route.largeCommunities.map {
                    "bgp_large_community.add((\($0.global),\($0.local1),\($0.local2)));"
                }
                let block = actions.isEmpty ? "" : " { " + actions.joined(separator: " ") + " }"
                text += "    route \(route.prefix) blackhole\(block);\n"
            }
            text += "}\n"
        }
        return text
    }

    /// Import everything, export only what this router originates (not what it learned).
    private static func channel(_ family: String) -> String {
        "\(family) { import all; export where source = RTS_STATIC; };"
    }

    /// `local [ADDRESS]` part: the first listen address of the family, or none (BIRD then picks one).
    private static func localAddress(_ configuration: BGPPeerLabRouterConfiguration, ipv6: Bool) -> String {
        configuration.listenAddresses.first { BGPPeerLabAddress.isIPv6($0) == ipv6 } ?? ""
    }
}
