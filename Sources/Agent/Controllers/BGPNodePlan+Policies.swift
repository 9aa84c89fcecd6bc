import Addresses
import BGP
import PodRouting

extension BGPNodePlan {
    /// This node's pod CIDRs, and host routes when VIPs are advertised, leave it, with the
    /// annotated prepend.
    ///
    /// The policy names kinds of routes, not each VIP: a peer's policy is part of its session's
    /// configuration, and a Service that comes or goes must not reset the sessions. Learned host
    /// routes never reach the Loc-RIB unless `importServiceVIPs` (see `importPolicy`), so the
    /// host-route pattern matches only this node's own VIPs.
    static func exportPolicy(podCIDRs: [BGPPrefix], hostRoutes: Bool, prepend: Int) -> BGPPolicy {
        var patterns = podCIDRs.sorted().compactMap { BGPPrefixPattern($0) }
        if hostRoutes { patterns += hostRoutePatterns }
        let actions: [BGPPolicyAction] = prepend > 0 ? [.prependASPath(count: prepend)] : []
        return BGPPolicy(
            name: "rudder-export",
            rules: patterns.isEmpty ? [] : [.init(prefixes: patterns, actions: actions, decision: .accept)],
            acceptsByDefault: false, defaultRejectReason: "only this node's own routes are exported")
    }

    /// Every IPv4 /32 and IPv6 /128.
    static let hostRoutePatterns = [
        BGPPrefix("0.0.0.0/0").flatMap { BGPPrefixPattern($0, minimumLength: 32, maximumLength: 32) },
        BGPPrefix("::/0").flatMap { BGPPrefixPattern($0, minimumLength: 128, maximumLength: 128) },
    ].compactMap { $0 }

    /// Everything comes in but a default route and host routes (other nodes' VIPs), unless asked for.
    static func importPolicy(defaultRoute: Bool, hostRoutes: Bool) -> BGPPolicy {
        var rejected: [BGPPrefixPattern] = []
        if !defaultRoute {
            rejected += ["0.0.0.0/0", "::/0"].compactMap { BGPPrefix($0).flatMap { BGPPrefixPattern($0) } }
        }
        if !hostRoutes { rejected += hostRoutePatterns }
        return BGPPolicy(
            name: "rudder-import", rules: rejected.isEmpty ? [] : [.init(prefixes: rejected, decision: .reject)],
            acceptsByDefault: true)
    }

    /// The kernel route for a learned best route, or nil when it stays out of the kernel: this
    /// node's own routes, a default route and service VIPs (host routes) unless asked for, and
    /// routes without a usable next hop.
    public static func kernelRoute(
        for route: BGPRoute, configuration: RudderConfiguration.BGP
    ) -> PodRoute? {
        guard route.source.kind != .local, let nextHop = route.attributes.nextHop else { return nil }
        let address = IPAddress(nextHop)
        let prefix = IPPrefix(route.prefix)
        if route.prefix.length == 0 && !configuration.importDefaultRoute { return nil }
        let hostLength = route.prefix.address.family == .ipv4 ? 32 : 128
        if route.prefix.length == hostLength && !configuration.importServiceVIPs { return nil }
        return PodRoute(prefix: prefix, nextHops: [address])
    }
}
