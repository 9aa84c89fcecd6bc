import Logging
import Netlink
import PodRouting

/// `rudder routes`: apply a routes file once (or keep it applied), and list Rudder's routes.
public enum StandaloneRoutes {
    /// What one application did, in the words the command prints.
    public struct Outcome: Sendable {
        /// One line: operations applied, failed, left to others, unresolved.
        public var summary: String
        /// One line for each failure, conflict and unresolved route.
        public var errors: [String]
        /// Whether an operation failed or a route could not be resolved.
        public var failed: Bool

        init(_ report: RouteReconciler.Report) {
            summary =
                "applied \(report.applied.count) operations; \(report.failures.count) failed, "
                + "\(report.conflicts.count) left to routes Rudder does not own, \(report.unresolved.count) unresolved"
            errors =
                report.failures.map { "failed: \($0)" }
                + report.conflicts.map { "conflict: \($0.key) is held by a route Rudder does not own" }
                + report.unresolved.map { "unresolved: \($0)" }
            failed = !report.failures.isEmpty || !report.unresolved.isEmpty
        }
    }

    /// Applies `file` in the network namespace named `namespaceName` (nil: this one) and hands
    /// the outcome to `applied`; with `watch`, keeps repairing drift until cancelled.
    public static func apply(
        _ file: RoutesFile, configuration: RudderConfiguration, namespaceName: String?, watch: Bool, logger: Logger,
        applied: @escaping @Sendable (Outcome) -> Void
    ) async throws {
        let settings = file.settings(overriding: configuration.podRoutingSettings)
        let kernel = try NetlinkRouteKernel(namespace: NetworkNamespace(name: namespaceName))
        let reconciler = RouteReconciler(kernel: kernel, settings: settings, logger: logger)
        guard watch else {
            applied(Outcome(try await reconciler.apply(file.routes)))
            return
        }
        // run() subscribes to kernel events before its first sync, so nothing between the sync
        // and the first event is missed.
        await reconciler.want(file.routes)
        try await reconciler.run(resyncInterval: configuration.podRouting.resyncInterval) { applied(Outcome($0)) }
    }

    /// The routes Rudder owns under `configuration` in the namespace named `namespaceName`, one
    /// line each in `ip route` style.
    public static func list(configuration: RudderConfiguration, namespaceName: String?) throws -> [String] {
        let (routes, names) = try owned(configuration: configuration, namespaceName: namespaceName)
        return routes.map { format($0, linkNames: names) }
    }

    /// The routes Rudder owns, sorted by key, and the link names by index; what both listings read.
    private static func owned(
        configuration: RudderConfiguration, namespaceName: String?
    ) throws -> ([Route], [Int32: String]) {
        let settings = configuration.podRoutingSettings
        let netlink = try Rtnetlink(namespace: NetworkNamespace(name: namespaceName))
        let names = Dictionary(try netlink.links().map { ($0.index, $0.name) }, uniquingKeysWith: { first, _ in first })
        let routes = try netlink.routes(protocolNumber: settings.protocolNumber).filter(settings.owns)
        return (routes.sorted { $0.key < $1.key }, names)
    }

    /// The same routes as JSON (`rudder routes list -o json`): prefix, table, metric and next hops.
    public static func listJSON(configuration: RudderConfiguration, namespaceName: String?) throws -> String {
        struct Hop: Encodable {
            var gateway: String?, device: String?, onlink: Bool
            var weight: Int
        }
        struct Record: Encodable {
            var prefix: String, table: UInt32, protocolNumber: UInt8
            var metric: UInt32, nextHops: [Hop]
        }
        let protocolNumber = configuration.podRoutingSettings.protocolNumber
        let (routes, names) = try owned(configuration: configuration, namespaceName: namespaceName)
        return JSONListing.render(
            routes.map { route in
                Record(
                    prefix: "\(route.destination)", table: route.table, protocolNumber: protocolNumber,
                    metric: route.metric,
                    nextHops: route.nextHops.map { hop in
                        Hop(
                            gateway: hop.gateway.map { "\($0)" },
                            device: hop.linkIndex == 0 ? nil : names[hop.linkIndex],
                            onlink: hop.onlink, weight: Int(hop.weight))
                    })
            })
    }

    /// Formats a route like `ip route` does.
    public static func format(_ route: Route, linkNames: [Int32: String]) -> String {
        func hop(_ hop: NextHop) -> String {
            var text = ""
            if let gateway = hop.gateway { text += " via \(gateway)" }
            if hop.linkIndex != 0 { text += " dev \(linkNames[hop.linkIndex] ?? "#\(hop.linkIndex)")" }
            if hop.onlink { text += " onlink" }
            return text
        }
        var line = "\(route.destination)"
        if route.nextHops.count == 1 {
            line += hop(route.nextHops[0])
        }
        line +=
            " table \(route.table == Route.mainTable ? "main" : "\(route.table)") proto rudder metric \(route.metric)"
        if route.nextHops.count > 1 {
            for next in route.nextHops { line += "\n    nexthop\(hop(next)) weight \(next.weight)" }
        }
        return line
    }
}
