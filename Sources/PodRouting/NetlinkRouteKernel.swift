import Netlink

/// The real kernel, through rtnetlink, in one network namespace.
public final class NetlinkRouteKernel: RouteKernel {
    private let netlink: Rtnetlink
    private let executor: NetlinkExecutor
    /// The namespace the routes live in.
    public let namespace: NetworkNamespace

    /// Opens the rtnetlink socket in `namespace`.
    public init(namespace: NetworkNamespace = .current) throws {
        self.namespace = namespace
        netlink = try Rtnetlink(namespace: namespace)
        executor = NetlinkExecutor(label: "rudder.podrouting.netlink")
    }

    public func routes() async throws -> [Route] {
        try await executor.run { [netlink] in try netlink.routes() }
    }

    public func addresses() async throws -> [InterfaceAddress] {
        try await executor.run { [netlink] in try netlink.addresses() }
    }

    public func apply(_ operations: [RouteOperation]) async throws -> RouteApplyResult {
        try await executor.run { [netlink] in
            let result = netlink.apply(operations)
            return RouteApplyResult(failures: result.failures, reportsLost: result.reportsLost)
        }
    }

    public func events() throws -> AsyncStream<NetlinkEvent> {
        try NetlinkMonitor.events(namespace: namespace)
    }

    public var writesSent: Int { netlink.writesSent }
}
