import Foundation
import Synchronization

/// BIRD 2 running in a lab namespace, with its control socket in its own runtime directory.
public final class BirdRouter: BGPPeerLabRouter {
    /// "bird in NAMESPACE".
    public let label: String
    /// The control socket, for `birdc -s`.
    public let controlSocket: String
    /// The main configuration file.
    public let configFile: String
    /// The included file with the static routes this router originates (nil for a router started from a given file).
    public let staticFile: String?
    private let daemon: BGPPeerLabDaemon
    private let originated: Mutex<[BGPPeerLabOriginatedRoute]>

    /// Writes the configuration, starts `bird` in `namespace` and waits until its control socket answers.
    ///
    /// `kernelMergePaths` exports BGP routes to the namespace's kernel with `merge paths on` (ECMP);
    /// `bulkRoutes` adds a large table to originate (the sender of ingest benchmarks). BIRD answers
    /// only once it has loaded the whole configuration, so with a bulk table, raise `startTimeout`.
    public static func start(
        in lab: BGPPeerLab, namespace: NetworkNamespaceFixture, configuration: BGPPeerLabRouterConfiguration,
        kernelMergePaths: Bool = false, bulkRoutes: BirdRouterBulkRoutes? = nil, startTimeout: Duration = .seconds(60)
    ) async throws -> BirdRouter {
        let directory = try lab.makeRuntimeDirectory("bird-\(namespace.name)")
        let staticFile = directory + "/static.conf"
        let configFile = directory + "/bird.conf"
        try BirdRouterConfigFile.staticRoutes(configuration.originatedRoutes)
            .write(toFile: staticFile, atomically: true, encoding: .utf8)
        var includes: [String] = []
        if let bulkRoutes {
            includes.append(directory + "/bulk.conf")
            try bulkRoutes.write(toFile: directory + "/bulk.conf")
        }
        try BirdRouterConfigFile.main(
            configuration, staticFile: staticFile, kernelMergePaths: kernelMergePaths, extraIncludes: includes
        ).write(toFile: configFile, atomically: true, encoding: .utf8)
        return try await launch(
            in: lab, namespace: namespace, directory: directory, configFile: configFile, staticFile: staticFile,
            originated: configuration.originatedRoutes, startTimeout: startTimeout)
    }

    /// Starts `bird` in `namespace` with an existing configuration file (such as bird-configs/tor.conf);
    /// `originate` and `withdraw` are not available on such a router.
    public static func start(
        in lab: BGPPeerLab, namespace: NetworkNamespaceFixture, configFile: String,
        startTimeout: Duration = .seconds(60)
    ) async throws -> BirdRouter {
        try await launch(
            in: lab, namespace: namespace, directory: try lab.makeRuntimeDirectory("bird-\(namespace.name)"),
            configFile: configFile, staticFile: nil, originated: [], startTimeout: startTimeout)
    }

    /// Starts `bird` on `configFile` with its socket, pid file and log in `directory`, and waits
    /// until it answers.
    private static func launch(
        in lab: BGPPeerLab, namespace: NetworkNamespaceFixture, directory: String, configFile: String,
        staticFile: String?, originated: [BGPPeerLabOriginatedRoute], startTimeout: Duration
    ) async throws -> BirdRouter {
        let socket = directory + "/bird.ctl"
        let daemon = try lab.startDaemon(
            "bird", in: namespace, executable: "bird",
            arguments: ["-f", "-c", configFile, "-s", socket, "-P", directory + "/bird.pid"],
            logFile: directory + "/bird.log")
        let router = BirdRouter(
            label: "bird in \(namespace.name)", controlSocket: socket, configFile: configFile, staticFile: staticFile,
            daemon: daemon, originated: originated)
        try await router.waitUntilReady(timeout: startTimeout)
        return router
    }

    private init(
        label: String, controlSocket: String, configFile: String, staticFile: String?, daemon: BGPPeerLabDaemon,
        originated: [BGPPeerLabOriginatedRoute]
    ) {
        self.label = label
        self.controlSocket = controlSocket
        self.configFile = configFile
        self.staticFile = staticFile
        self.daemon = daemon
        self.originated = Mutex(originated)
    }

    /// Runs `birdc -s SOCKET ARGUMENTS...` and returns its output; throws if birdc fails or BIRD reports an error.
    @discardableResult
    public func birdc(_ arguments: String...) throws -> String {
        let result = try Shell.run("birdc", ["-s", controlSocket] + arguments)
        // birdc exits 0 even when BIRD answers with an error such as "syntax error".
        guard result.succeeded, !result.stdout.contains("syntax error"), !result.stdout.contains("Parse error")
        else {
            throw BGPPeerLabError(label, "birdc \(arguments.joined(separator: " ")): \(result.stdout)\(result.stderr)")
        }
        return result.stdout
    }

    /// The BGP session state of `neighbor`, found by address among static and dynamic BGP protocols.
    public func sessionState(of neighbor: String) throws -> BGPPeerLabSessionState {
        try bgpProtocol(for: neighbor).sessionState ?? .idle
    }

    /// The routes the BGP protocol of `neighbor` put in BIRD's tables.
    public func receivedRoutes(from neighbor: String) throws -> [BGPPeerLabRoute] {
        let name = try bgpProtocol(for: neighbor).name
        return try BirdRouterOutputParser.routes(birdc("show", "route", "protocol", name, "all"))
    }

    /// Adds routes to the static file and reconfigures BIRD.
    public func originate(_ routes: [BGPPeerLabOriginatedRoute]) throws {
        try rewriteStaticRoutes { $0 += routes }
    }

    /// Removes routes from the static file and reconfigures BIRD.
    public func withdraw(_ prefixes: [String]) throws {
        let removed = Set(prefixes.compactMap { BGPPeerLabAddress.canonicalPrefix($0) })
        try rewriteStaticRoutes { routes in
            routes.removeAll { removed.contains(BGPPeerLabAddress.canonicalPrefix($0.prefix) ?? $0.prefix) }
        }
    }

    /// Stops BIRD.
    public func stop() async {
        await daemon.stop()
    }

    /// The end of BIRD's log.
    public func logTail() -> String {
        daemon.logTail()
    }

    /// The protocol list, parsed.
    public func protocols() throws -> [BirdRouterOutputParser.ProtocolStatus] {
        try BirdRouterOutputParser.protocols(birdc("show", "protocols", "all"))
    }

    /// How many routes BIRD's tables hold in all (`show route count`).
    ///
    /// BIRD walks its tables to answer, and does nothing else meanwhile: with a million routes,
    /// polling this slows the very import being watched. Poll `show protocols all NAME` instead.
    public func routeCount() throws -> Int {
        let output = try birdc("show", "route", "count")
        // "5 of 5 routes for 5 networks in table master4" per table, then with several tables
        // "Total: 9 of 9 routes for 9 networks in 2 tables".
        var total = 0
        for line in output.split(separator: "\n") where line.contains(" routes for ") {
            let text = line.hasPrefix("Total: ") ? line.dropFirst("Total: ".count) : line
            guard let first = text.split(separator: " ").first, let count = Int(first) else {
                throw BGPPeerLabError(label, "unexpected route count line \"\(line)\"")
            }
            if line.hasPrefix("Total: ") { return count }
            total += count
        }
        return total
    }

    private func bgpProtocol(for neighbor: String) throws -> BirdRouterOutputParser.ProtocolStatus {
        guard let address = BGPPeerLabAddress.canonical(neighbor) else {
            throw BGPPeerLabError(label, "not an address: \(neighbor)")
        }
        guard let status = try protocols().first(where: { $0.type == "BGP" && $0.neighborAddress == address }) else {
            throw BGPPeerLabError(label, "no BGP protocol for neighbor \(neighbor)")
        }
        return status
    }

    private func rewriteStaticRoutes(_ change: (inout [BGPPeerLabOriginatedRoute]) -> Void) throws {
        guard let staticFile else {
            throw BGPPeerLabError(label, "started from \(configFile), which has no lab static-routes file")
        }
        let routes = originated.withLock { routes in
            change(&routes)
            return routes
        }
        try BirdRouterConfigFile.staticRoutes(routes).write(toFile: staticFile, atomically: true, encoding: .utf8)
        let output = try birdc("configure")
        guard output.contains("Reconfigured") || output.contains("Reconfiguration in progress") else {
            throw BGPPeerLabError(label, "birdc configure: \(output)")
        }
    }

    private func waitUntilReady(timeout: Duration) async throws {
        try await Polling.until(
            "\(label) answers on \(controlSocket)", timeout: timeout,
            context: { "\n" + daemon.logTail() }
        ) {
            guard daemon.isRunning else { throw BGPPeerLabError(label, "bird exited: \(daemon.logTail())") }
            return (try? birdc("show", "status"))?.contains("Daemon is up") ?? false
        }
    }
}
