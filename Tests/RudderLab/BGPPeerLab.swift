import Foundation
import Synchronization

/// Network namespaces for BGP interop tests: one for a router (a ToR), one per node, a veth pair
/// between the router and each node with IPv4 and IPv6 addresses on both ends, and a temporary
/// directory for the daemons' configurations, sockets and logs.
///
/// Daemons started in the lab are registered with it and stopped by `shutdown()` (or `close()`,
/// or `deinit` as a last resort), before the namespaces and the directory are removed.
public final class BGPPeerLab: Sendable {
    /// The router's namespace.
    public let router: NetworkNamespaceFixture
    /// The nodes' namespaces, in link order.
    public let nodes: [NetworkNamespaceFixture]
    /// The link to each node, in node order.
    public let links: [BGPPeerLabLink]
    /// The lab's temporary directory (its name holds "rudder-bgplab-", which scripts/test.sh looks for).
    public let directory: String
    private let daemons = Mutex<[BGPPeerLabDaemon]>([])
    private let isClosed = Atomic<Bool>(false)

    /// Creates the router namespace and `nodeCount` node namespaces, linked and addressed.
    public init(nodes nodeCount: Int = 1) throws {
        // In a User-Mode Linux guest /tmp is the host's, through hostfs, which takes no sockets;
        // the guest's /run is its own tmpfs.
        var template = Array("\(UserModeLinux.isGuest ? "/run" : "/tmp")/rudder-bgplab-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw BGPPeerLabError("BGP peer lab", "mkdtemp: \(String(cString: strerror(errno)))")
        }
        directory = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var created: [NetworkNamespaceFixture] = []
        do {
            let router = try NetworkNamespaceFixture(prefix: "rudder-bgplab")
            created.append(router)
            var nodes: [NetworkNamespaceFixture] = []
            var links: [BGPPeerLabLink] = []
            for index in 0..<nodeCount {
                let node = try NetworkNamespaceFixture(prefix: "rudder-bgplab")
                created.append(node)
                let link = BGPPeerLabLink(node: index)
                try router.addVethPair(link.routerInterface, peer: link.nodeInterface, peerNamespace: node)
                try router.addAddress(link.routerIPv4 + "/24", to: link.routerInterface)
                try router.addAddress(link.routerIPv6 + "/64", to: link.routerInterface)
                try node.addAddress(link.nodeIPv4 + "/24", to: link.nodeInterface)
                try node.addAddress(link.nodeIPv6 + "/64", to: link.nodeInterface)
                nodes.append(node)
                links.append(link)
            }
            self.router = router
            self.nodes = nodes
            self.links = links
        } catch {
            for namespace in created { try? namespace.remove() }
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    deinit {
        close()
    }

    /// A new directory for one daemon's files inside the lab directory, readable by every user
    /// (FRR drops to its own user and must write its sockets and pid files there).
    public func makeRuntimeDirectory(_ name: String) throws -> String {
        let path = directory + "/" + name
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory)
        return path
    }

    /// Starts a daemon in `namespace`; the lab stops it at shutdown.
    public func startDaemon(
        _ name: String, in namespace: NetworkNamespaceFixture, executable: String, arguments: [String],
        logFile: String
    ) throws -> BGPPeerLabDaemon {
        guard !isClosed.load(ordering: .acquiring) else { throw BGPPeerLabError(name, "the lab is closed") }
        let daemon = try BGPPeerLabDaemon(
            name: name, namespace: namespace.name, executable: executable, arguments: arguments, logFile: logFile)
        daemons.withLock { $0.append(daemon) }
        return daemon
    }

    /// Stops every daemon (SIGTERM, then SIGKILL), deletes the namespaces and the directory.
    public func shutdown() async {
        for daemon in daemons.withLock({ $0 }) { await daemon.stop() }
        close()
    }

    /// Like `shutdown()` but without waiting for a clean exit: daemons get SIGKILL. Calling it again does nothing.
    public func close() {
        guard !isClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for daemon in daemons.withLock({ $0 }) { daemon.kill() }
        for namespace in nodes + [router] { try? namespace.remove() }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The `BGPPeerLabDaemon`s started so far, for their logs.
    public var startedDaemons: [BGPPeerLabDaemon] { daemons.withLock { $0 } }
}

/// Runs `body` with a new lab of `nodes` nodes and shuts the lab down afterwards, also when `body` throws.
public func withBGPPeerLab<Result>(
    nodes: Int = 1, isolation: isolated (any Actor)? = #isolation, _ body: (BGPPeerLab) async throws -> Result
) async throws -> Result {
    let lab = try BGPPeerLab(nodes: nodes)
    let result: Result
    do {
        result = try await body(lab)
    } catch {
        await lab.shutdown()
        throw error
    }
    await lab.shutdown()
    return result
}
