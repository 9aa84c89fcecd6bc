import Netlink

/// What the route reconciler needs from the kernel: reads, batched writes, and change events.
public protocol RouteKernel: Sendable {
    /// Routes in every table, all protocols.
    func routes() async throws -> [Route]
    /// Addresses on every link.
    func addresses() async throws -> [InterfaceAddress]
    /// Applies operations and reports failures by index.
    func apply(_ operations: [RouteOperation]) async throws -> RouteApplyResult
    /// Starts the stream of route, link and address events; subscribed when it returns.
    func events() throws -> AsyncStream<NetlinkEvent>
    /// How many state-changing requests have reached the kernel.
    var writesSent: Int { get }
}

/// The outcome of applying operations.
public struct RouteApplyResult: Sendable {
    /// Failures keyed by operation index.
    public var failures: [Int: NetlinkError]
    /// Whether error reports were lost, so that the result cannot be trusted.
    public var reportsLost: Bool

    /// A result value.
    public init(failures: [Int: NetlinkError] = [:], reportsLost: Bool = false) {
        self.failures = failures
        self.reportsLost = reportsLost
    }
}
