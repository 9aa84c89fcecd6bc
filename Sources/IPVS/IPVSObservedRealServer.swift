/// A real server as the kernel reports it: its configuration, connection counts and statistics.
public struct IPVSObservedRealServer: Hashable, Sendable {
    /// The configuration, comparable with a desired `IPVSRealServer`.
    public var server: IPVSRealServer
    /// Connections in an established state.
    public var activeConnections: UInt32
    /// Connections in any other state (closing, SYN received, UDP).
    public var inactiveConnections: UInt32
    /// Persistence templates pointing at this server.
    public var persistentConnections: UInt32
    /// Counters and rates.
    public var statistics: IPVSStatistics

    /// An observed real server.
    public init(
        server: IPVSRealServer, activeConnections: UInt32 = 0, inactiveConnections: UInt32 = 0,
        persistentConnections: UInt32 = 0, statistics: IPVSStatistics = .zero
    ) {
        self.server = server
        self.activeConnections = activeConnections
        self.inactiveConnections = inactiveConnections
        self.persistentConnections = persistentConnections
        self.statistics = statistics
    }
}
