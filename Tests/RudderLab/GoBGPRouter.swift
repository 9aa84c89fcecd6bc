import Foundation

/// gobgpd running in a lab namespace; the `gobgp` CLI reaches its gRPC API through a Unix socket
/// in the router's runtime directory, so no TCP port is shared with anything else.
public final class GoBGPRouter: BGPPeerLabRouter {
    /// "gobgpd in NAMESPACE".
    public let label: String
    /// The gRPC API socket, as `gobgp --target` takes it ("unix:///…/gobgpd.sock").
    public let apiTarget: String
    /// The TOML configuration file.
    public let configFile: String
    private let daemon: BGPPeerLabDaemon

    /// Writes the configuration, starts gobgpd in `namespace`, waits for its API and adds the originated routes.
    public static func start(
        in lab: BGPPeerLab, namespace: NetworkNamespaceFixture, configuration: BGPPeerLabRouterConfiguration
    ) async throws -> GoBGPRouter {
        let directory = try lab.makeRuntimeDirectory("gobgpd-\(namespace.name)")
        let configFile = directory + "/gobgpd.toml"
        try GoBGPRouterConfigFile.toml(configuration).write(toFile: configFile, atomically: true, encoding: .utf8)
        let socket = directory + "/gobgpd.sock"
        let daemon = try lab.startDaemon(
            "gobgpd", in: namespace, executable: "gobgpd",
            arguments: ["-f", configFile, "--api-hosts", "unix://" + socket, "--pprof-disable", "--log-plain"],
            logFile: directory + "/gobgpd.log")
        let router = GoBGPRouter(
            label: "gobgpd in \(namespace.name)", apiTarget: "unix://" + socket, configFile: configFile,
            daemon: daemon)
        try await Polling.until(
            "\(router.label) answers on \(socket)", timeout: .seconds(60), context: { "\n" + daemon.logTail() }
        ) {
            guard daemon.isRunning else { throw BGPPeerLabError(router.label, "gobgpd exited") }
            return (try? router.gobgp("global")) != nil
        }
        try router.originate(configuration.originatedRoutes)
        return router
    }

    private init(label: String, apiTarget: String, configFile: String, daemon: BGPPeerLabDaemon) {
        self.label = label
        self.apiTarget = apiTarget
        self.configFile = configFile
        self.daemon = daemon
    }

    /// Runs `gobgp --target API ARGUMENTS...` and returns its output, throwing unless it exits with 0.
    @discardableResult
    public func gobgp(_ arguments: String...) throws -> String {
        try gobgp(arguments)
    }

    /// Runs `gobgp --target API ARGUMENTS` and returns its output, throwing unless it exits with 0.
    @discardableResult
    public func gobgp(_ arguments: [String]) throws -> String {
        let result = try Shell.run("gobgp", ["--target", apiTarget] + arguments)
        guard result.succeeded else {
            throw BGPPeerLabError(label, "gobgp \(arguments.joined(separator: " ")): \(result.stdout)\(result.stderr)")
        }
        return result.stdout
    }

    /// The session state of `neighbor`.
    public func sessionState(of neighbor: String) throws -> BGPPeerLabSessionState {
        try GoBGPRouterOutputParser.sessionState(gobgp("neighbor", neighbor, "-j"))
    }

    /// The routes in the Adj-RIB-In of `neighbor`, for the family of its address.
    public func receivedRoutes(from neighbor: String) throws -> [BGPPeerLabRoute] {
        let family = BGPPeerLabAddress.isIPv6(neighbor) ? "ipv6" : "ipv4"
        return try GoBGPRouterOutputParser.routes(gobgp("neighbor", neighbor, "adj-in", "-a", family, "-j"))
    }

    /// Adds the routes to the global RIB (`gobgp global rib add`), with their communities.
    public func originate(_ routes: [BGPPeerLabOriginatedRoute]) throws {
        for route in routes {
            var arguments = ["global", "rib", "add", route.prefix]
            if !route.communities.isEmpty {
                arguments += ["community", route.communities.map(\.description).joined(separator: ",")]
            }
            if !route.largeCommunities.isEmpty {
                arguments += ["large-community", route.largeCommunities.map(\.description).joined(separator: ",")]
            }
            try gobgp(arguments + ["-a", route.isIPv6 ? "ipv6" : "ipv4"])
        }
    }

    /// Deletes the routes from the global RIB.
    public func withdraw(_ prefixes: [String]) throws {
        for prefix in prefixes {
            try gobgp("global", "rib", "del", prefix, "-a", BGPPeerLabAddress.isIPv6(prefix) ? "ipv6" : "ipv4")
        }
    }

    /// Stops gobgpd.
    public func stop() async {
        await daemon.stop()
    }

    /// The end of gobgpd's log.
    public func logTail() -> String {
        daemon.logTail()
    }
}
