import Addresses
import Netlink

/// Turns desired pod routes into kernel routes by finding how each next hop is reached.
///
/// A next hop inside a directly connected subnet becomes `via HOP dev LINK onlink`; any other
/// next hop is reached through the gateway of the kernel's best route to it, as the kernel
/// itself would forward; several next hops make an ECMP route. Pure: no I/O.
public struct RouteResolver: Sendable {
    /// Why a desired route could not be turned into a kernel route.
    public struct Problem: Error, Hashable, Sendable, CustomStringConvertible {
        /// The route in question.
        public var route: PodRoute
        /// What is wrong with it.
        public var reason: String

        public var description: String { "pod route \(route.prefix): \(reason)" }
    }

    /// The addresses on this node's links, whose subnets are directly connected.
    public var addresses: [InterfaceAddress]
    /// Routes the kernel holds that Rudder does not own, used to reach remote next hops.
    public var underlay: [Route]
    /// Where and how the routes are written.
    public var settings: PodRoutingSettings

    /// A resolver over a snapshot of addresses and foreign routes.
    public init(addresses: [InterfaceAddress], underlay: [Route], settings: PodRoutingSettings) {
        self.addresses = addresses
        // A pod route must never be resolved through another pod route.
        self.underlay = underlay.filter { !settings.owns($0) && $0.type == Route.typeUnicast }
        self.settings = settings
    }

    /// Resolves every route; the ones that cannot be resolved come back as problems.
    public func resolve(_ routes: [PodRoute]) -> (routes: [Route], problems: [Problem]) {
        var resolved: [Route] = []
        var problems: [Problem] = []
        resolved.reserveCapacity(routes.count)
        for route in routes {
            switch resolveRoute(route) {
            case .success(let kernelRoute): resolved.append(kernelRoute)
            case .failure(let problem): problems.append(problem)
            }
        }
        return (resolved, problems)
    }

    /// Resolves one route.
    public func resolveRoute(_ route: PodRoute) -> Result<Route, Problem> {
        guard !route.nextHops.isEmpty else { return .failure(Problem(route: route, reason: "it has no next hop")) }
        var hops: [NextHop] = []
        for hop in route.nextHops {
            guard hop.family == route.prefix.family else {
                return .failure(Problem(route: route, reason: "next hop \(hop) is not \(route.prefix.family)"))
            }
            let weight = route.weights[hop] ?? 1
            if let link = route.link {
                // A tunnel's far end is its next hop whatever the underlay says.
                hops.append(NextHop(gateway: hop, linkIndex: link, onlink: true, weight: weight))
            } else if let connected = connectedAddress(for: hop) {
                hops.append(NextHop(gateway: hop, linkIndex: connected.linkIndex, onlink: true, weight: weight))
            } else if let via = bestUnderlayRoute(to: hop), let first = via.nextHops.first, let gateway = first.gateway
            {
                hops.append(NextHop(gateway: gateway, linkIndex: first.linkIndex, onlink: first.onlink, weight: weight))
            } else {
                return .failure(
                    Problem(
                        route: route,
                        reason: "next hop \(hop) is neither on a connected subnet nor reachable through a gateway"))
            }
        }
        // Two next hops reached through the same gateway are one next hop to the kernel.
        var unique: [NextHop] = []
        for hop in hops where !unique.contains(where: { $0.gateway == hop.gateway && $0.linkIndex == hop.linkIndex }) {
            unique.append(hop)
        }
        return .success(
            Route(
                destination: route.prefix, table: settings.table, protocolNumber: settings.protocolNumber,
                scope: Route.scopeUniverse, metric: settings.metric, nextHops: unique))
    }

    private func connectedAddress(for hop: IPAddress) -> InterfaceAddress? {
        // Runs once per next hop of every route: a plain loop, no intermediate arrays.
        var best: InterfaceAddress?
        for candidate in addresses where candidate.scope != 254 && candidate.address.address != hop {
            guard candidate.address.contains(hop) else { continue }
            if best == nil || candidate.address.length > best!.address.length { best = candidate }
        }
        return best
    }

    private func bestUnderlayRoute(to hop: IPAddress) -> Route? {
        underlay
            .filter {
                $0.table == Route.mainTable && $0.destination.contains(hop)
                    && $0.nextHops.contains { $0.gateway != nil }
            }
            .min { ($0.destination.length, $1.metric) > ($1.destination.length, $0.metric) }
    }
}
