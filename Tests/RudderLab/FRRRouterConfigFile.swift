/// The text of an FRR bgpd configuration for a lab router, built from a `BGPPeerLabRouterConfiguration`.
public enum FRRRouterConfigFile {
    /// The bgpd configuration.
    ///
    /// `frr defaults traditional` turns on `ebgp-requires-policy`, under which FRR neither accepts
    /// nor sends eBGP routes without route-maps; the lab turns it off, and `network import-check`
    /// too, so originated prefixes need no matching route in zebra.
    public static func bgpd(_ configuration: BGPPeerLabRouterConfiguration) -> String {
        var lines = ["! Generated for a Rudder BGP lab router.", "frr defaults traditional", "hostname lab", "!"]
        for route in configuration.originatedRoutes { lines += routeMap(for: route) }
        lines += [
            "router bgp \(configuration.localAS)",
            " bgp router-id \(configuration.routerID)",
            " no bgp ebgp-requires-policy",
            " no bgp network import-check",
            " no bgp default ipv4-unicast",
        ]
        for neighbor in configuration.neighbors {
            precondition(neighbor.fourOctetAS, "the FRR lab router cannot turn the 4-octet AS capability off")
            lines.append(" neighbor \(neighbor.address) remote-as \(neighbor.remoteAS)")
            if let password = neighbor.password { lines.append(" neighbor \(neighbor.address) password \(password)") }
            // Short retry: a lab session should come up (or retry after a refused MD5 SYN) in seconds.
            lines.append(" neighbor \(neighbor.address) timers connect 2")
            if neighbor.passive { lines.append(" neighbor \(neighbor.address) passive") }
        }
        for (index, range) in configuration.neighborRanges.enumerated() {
            let group = "RANGE\(index)"
            lines += [" neighbor \(group) peer-group", " neighbor \(group) remote-as \(range.remoteAS)"]
            if let password = range.password { lines.append(" neighbor \(group) password \(password)") }
            lines.append(" bgp listen range \(range.prefix) peer-group \(group)")
        }
        for (family, isIPv6) in [("ipv4", false), ("ipv6", true)] {
            lines.append(" address-family \(family) unicast")
            for route in configuration.originatedRoutes where route.isIPv6 == isIPv6 {
                lines.append("  " + networkStatement(for: route))
            }
            for neighbor in configuration.neighbors where neighbor.isIPv6 == isIPv6 {
                lines.append("  neighbor \(neighbor.address) activate")
            }
            for (index, range) in configuration.neighborRanges.enumerated() where range.isIPv6 == isIPv6 {
                lines.append("  neighbor RANGE\(index) activate")
            }
            lines.append(" exit-address-family")
        }
        lines += ["exit", "!"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The zebra configuration: nothing but a host name; zebra is there to own the namespace's routing table.
    public static func zebra() -> String {
        "! Generated for a Rudder BGP lab router.\nhostname lab\n!\n"
    }

    /// The route-map that sets a route's communities (empty when it has none).
    public static func routeMap(for route: BGPPeerLabOriginatedRoute) -> [String] {
        guard !route.communities.isEmpty || !route.largeCommunities.isEmpty else { return [] }
        var lines = ["route-map \(routeMapName(for: route.prefix)) permit 10"]
        if !route.communities.isEmpty {
            lines.append(" set community " + route.communities.map(\.description).joined(separator: " "))
        }
        if !route.largeCommunities.isEmpty {
            lines.append(" set large-community " + route.largeCommunities.map(\.description).joined(separator: " "))
        }
        return lines + ["exit"]
    }

    /// `network PREFIX [route-map NAME]`.
    public static func networkStatement(for route: BGPPeerLabOriginatedRoute) -> String {
        let hasMap = !route.communities.isEmpty || !route.largeCommunities.isEmpty
        return "network \(route.prefix)" + (hasMap ? " route-map \(routeMapName(for: route.prefix))" : "")
    }

    /// "LAB-10-1-0-0-24" for "10.1.0.0/24".
    public static func routeMapName(for prefix: String) -> String {
        "LAB-" + String(prefix.map { $0.isLetter || $0.isNumber ? $0 : "-" })
    }
}
