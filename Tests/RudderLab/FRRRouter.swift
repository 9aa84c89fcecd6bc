import Foundation

/// FRR's zebra and bgpd running in a lab namespace, kept apart from any system instance.
///
/// Every path FRR would otherwise take from /etc/frr or /run/frr is given on the command line:
/// `--vty_socket` puts the vty sockets in the router's runtime directory, `-z` the zebra API
/// socket, `-i` the pid files, `-f` the configuration, and `-P 0` turns the TCP vty off. The
/// daemons drop to the `frr` user, which therefore owns the runtime directory. `vtysh` reaches
/// them with the same `--vty_socket`, and `--config_dir` keeps it from reading /etc/frr.
public final class FRRRouter: BGPPeerLabRouter {
    /// "frr in NAMESPACE".
    public let label: String
    /// The directory holding the configuration, the sockets, the pid files and the logs.
    public let runtimeDirectory: String
    /// The local AS, needed to enter `router bgp` when adding routes.
    public let localAS: UInt32
    private let zebra: BGPPeerLabDaemon
    private let bgpd: BGPPeerLabDaemon

    /// The directory of FRR's daemons in Debian's package.
    public static let daemonDirectory = "/usr/lib/frr"

    /// Writes the configurations, starts zebra and then bgpd in `namespace`, and waits until bgpd answers.
    public static func start(
        in lab: BGPPeerLab, namespace: NetworkNamespaceFixture, configuration: BGPPeerLabRouterConfiguration
    ) async throws -> FRRRouter {
        let directory = try lab.makeRuntimeDirectory("frr-\(namespace.name)")
        try FRRRouterConfigFile.zebra().write(toFile: directory + "/zebra.conf", atomically: true, encoding: .utf8)
        try FRRRouterConfigFile.bgpd(configuration)
            .write(toFile: directory + "/bgpd.conf", atomically: true, encoding: .utf8)
        try "".write(toFile: directory + "/vtysh.conf", atomically: true, encoding: .utf8)
        try Shell.check("chown", ["-R", "frr:frr", directory])
        let common = [
            "-u", "frr", "-g", "frr", "--vty_socket", directory, "-z", directory + "/zserv.api", "-P", "0",
        ]
        let zebra = try lab.startDaemon(
            "zebra", in: namespace, executable: daemonDirectory + "/zebra",
            arguments: common + ["-i", directory + "/zebra.pid", "-f", directory + "/zebra.conf"],
            logFile: directory + "/zebra.log")
        try await Polling.until(
            "zebra in \(namespace.name) opens its API socket", timeout: .seconds(60),
            context: { "\n" + zebra.logTail() }
        ) {
            guard zebra.isRunning else { throw BGPPeerLabError("zebra in \(namespace.name)", "exited") }
            return FileManager.default.fileExists(atPath: directory + "/zserv.api")
        }
        var bgpdArguments = common + ["-i", directory + "/bgpd.pid", "-f", directory + "/bgpd.conf"]
        for address in configuration.listenAddresses { bgpdArguments += ["-l", address] }
        let bgpd = try lab.startDaemon(
            "bgpd", in: namespace, executable: daemonDirectory + "/bgpd", arguments: bgpdArguments,
            logFile: directory + "/bgpd.log")
        let router = FRRRouter(
            label: "frr in \(namespace.name)", runtimeDirectory: directory, localAS: configuration.localAS,
            zebra: zebra, bgpd: bgpd)
        try await Polling.until(
            "\(router.label) answers on its vty socket", timeout: .seconds(60), context: { "\n" + bgpd.logTail() }
        ) {
            guard bgpd.isRunning else { throw BGPPeerLabError(router.label, "bgpd exited") }
            return (try? router.vtysh("show bgp summary json")) != nil
        }
        return router
    }

    private init(
        label: String, runtimeDirectory: String, localAS: UInt32, zebra: BGPPeerLabDaemon, bgpd: BGPPeerLabDaemon
    ) {
        self.label = label
        self.runtimeDirectory = runtimeDirectory
        self.localAS = localAS
        self.zebra = zebra
        self.bgpd = bgpd
    }

    /// Runs vtysh against this instance with one `-c` per command and returns its output.
    @discardableResult
    public func vtysh(_ commands: String...) throws -> String {
        try vtysh(commands)
    }

    /// Runs vtysh against this instance with one `-c` per command and returns its output.
    @discardableResult
    public func vtysh(_ commands: [String]) throws -> String {
        let arguments = ["--vty_socket", runtimeDirectory, "--config_dir", runtimeDirectory]
        let result = try Shell.run("vtysh", arguments + commands.flatMap { ["-c", $0] })
        // vtysh exits 0 after some errors, but prints them with a leading "%".
        guard result.succeeded, !result.stdout.hasPrefix("%"), !result.stderr.contains("% ") else {
            throw BGPPeerLabError(label, "vtysh \(commands): \(result.stdout)\(result.stderr)")
        }
        return result.stdout
    }

    /// The session state of `neighbor`.
    public func sessionState(of neighbor: String) throws -> BGPPeerLabSessionState {
        try FRRRouterOutputParser.sessionState(vtysh("show bgp neighbors \(neighbor) json"), neighbor: neighbor)
    }

    /// The routes from `neighbor` in the BGP table, for the family of its address, with their attributes.
    public func receivedRoutes(from neighbor: String) throws -> [BGPPeerLabRoute] {
        let family = BGPPeerLabAddress.isIPv6(neighbor) ? "ipv6" : "ipv4"
        let prefixes = try FRRRouterOutputParser.prefixes(
            vtysh("show bgp \(family) unicast neighbors \(neighbor) routes json"))
        // The per-neighbor listing leaves out communities; each prefix's own listing has them.
        return try prefixes.flatMap { prefix in
            try FRRRouterOutputParser.routes(vtysh("show bgp \(family) unicast \(prefix) json"), from: neighbor)
        }
    }

    /// Adds `network` statements (with route-maps for the communities) through vtysh.
    public func originate(_ routes: [BGPPeerLabOriginatedRoute]) throws {
        guard !routes.isEmpty else { return }
        var commands = ["configure terminal"]
        for route in routes { commands += FRRRouterConfigFile.routeMap(for: route) }
        commands.append("router bgp \(localAS)")
        for route in routes {
            commands += [
                "address-family \(route.isIPv6 ? "ipv6" : "ipv4") unicast",
                FRRRouterConfigFile.networkStatement(for: route), "exit-address-family",
            ]
        }
        try vtysh(commands)
    }

    /// Removes the `network` statements of these prefixes.
    public func withdraw(_ prefixes: [String]) throws {
        guard !prefixes.isEmpty else { return }
        var commands = ["configure terminal", "router bgp \(localAS)"]
        for prefix in prefixes {
            commands += [
                "address-family \(BGPPeerLabAddress.isIPv6(prefix) ? "ipv6" : "ipv4") unicast",
                "no network \(prefix)", "exit-address-family",
            ]
        }
        try vtysh(commands)
    }

    /// Stops bgpd, then zebra.
    public func stop() async {
        await bgpd.stop()
        await zebra.stop()
    }

    /// The end of bgpd's and zebra's logs.
    public func logTail() -> String {
        "bgpd:\n" + bgpd.logTail() + "\nzebra:\n" + zebra.logTail()
    }
}
