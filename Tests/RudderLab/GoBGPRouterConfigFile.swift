/// The text of a gobgpd TOML configuration for a lab router, built from a `BGPPeerLabRouterConfiguration`.
///
/// gobgpd's configuration cannot originate routes; `GoBGPRouter` adds them through its API after start.
public enum GoBGPRouterConfigFile {
    /// The configuration.
    public static func toml(_ configuration: BGPPeerLabRouterConfiguration) -> String {
        var lines = [
            "# Generated for a Rudder BGP lab router.",
            "[global.config]",
            "  as = \(configuration.localAS)",
            "  router-id = \(quoted(configuration.routerID))",
            "  port = 179",
        ]
        if !configuration.listenAddresses.isEmpty {
            lines.append(
                "  local-address-list = [\(configuration.listenAddresses.map(quoted).joined(separator: ", "))]")
        }
        for neighbor in configuration.neighbors {
            precondition(neighbor.fourOctetAS, "the GoBGP lab router cannot turn the 4-octet AS capability off")
            lines += [
                "", "[[neighbors]]", "  [neighbors.config]",
                "    neighbor-address = \(quoted(neighbor.address))",
                "    peer-as = \(neighbor.remoteAS)",
            ]
            if let password = neighbor.password { lines.append("    auth-password = \(quoted(password))") }
            // Short retry: a lab session should come up (or retry after a refused MD5 SYN) in seconds.
            lines += ["  [neighbors.timers.config]", "    connect-retry = 2"]
            if neighbor.passive { lines += ["  [neighbors.transport.config]", "    passive-mode = true"] }
            lines += [
                "  [[neighbors.afi-safis]]", "    [neighbors.afi-safis.config]",
                "      afi-safi-name = \(quoted(neighbor.isIPv6 ? "ipv6-unicast" : "ipv4-unicast"))",
            ]
        }
        for (index, range) in configuration.neighborRanges.enumerated() {
            lines += [
                "", "[[peer-groups]]", "  [peer-groups.config]",
                "    peer-group-name = \"range\(index)\"",
                "    peer-as = \(range.remoteAS)",
            ]
            if let password = range.password { lines.append("    auth-password = \(quoted(password))") }
            lines += [
                "  [[peer-groups.afi-safis]]", "    [peer-groups.afi-safis.config]",
                "      afi-safi-name = \(quoted(range.isIPv6 ? "ipv6-unicast" : "ipv4-unicast"))",
                "", "[[dynamic-neighbors]]", "  [dynamic-neighbors.config]",
                "    prefix = \(quoted(range.prefix))",
                "    peer-group = \"range\(index)\"",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
