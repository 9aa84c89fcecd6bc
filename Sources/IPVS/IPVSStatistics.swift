/// Counters and rates of a virtual service or real server.
///
/// Read from the kernel's 64-bit statistics when it sends them (all current kernels do), else
/// from the older set, whose packet and connection counters wrap at 2^32. Linux 6.1 refreshes
/// both only when its rate estimator runs, every 2 seconds, so they lag traffic by up to that.
public struct IPVSStatistics: Hashable, Sendable {
    /// Connections scheduled.
    public var connections: UInt64
    /// Packets received from clients.
    public var incomingPackets: UInt64
    /// Packets sent back to clients.
    public var outgoingPackets: UInt64
    /// Bytes received from clients.
    public var incomingBytes: UInt64
    /// Bytes sent back to clients.
    public var outgoingBytes: UInt64
    /// Connections per second, as the kernel's estimator last computed it.
    public var connectionsPerSecond: UInt64
    /// Incoming packets per second.
    public var incomingPacketsPerSecond: UInt64
    /// Outgoing packets per second.
    public var outgoingPacketsPerSecond: UInt64
    /// Incoming bytes per second.
    public var incomingBytesPerSecond: UInt64
    /// Outgoing bytes per second.
    public var outgoingBytesPerSecond: UInt64

    /// Statistics with every figure given (all zero by default).
    public init(
        connections: UInt64 = 0, incomingPackets: UInt64 = 0, outgoingPackets: UInt64 = 0, incomingBytes: UInt64 = 0,
        outgoingBytes: UInt64 = 0, connectionsPerSecond: UInt64 = 0, incomingPacketsPerSecond: UInt64 = 0,
        outgoingPacketsPerSecond: UInt64 = 0, incomingBytesPerSecond: UInt64 = 0, outgoingBytesPerSecond: UInt64 = 0
    ) {
        self.connections = connections
        self.incomingPackets = incomingPackets
        self.outgoingPackets = outgoingPackets
        self.incomingBytes = incomingBytes
        self.outgoingBytes = outgoingBytes
        self.connectionsPerSecond = connectionsPerSecond
        self.incomingPacketsPerSecond = incomingPacketsPerSecond
        self.outgoingPacketsPerSecond = outgoingPacketsPerSecond
        self.incomingBytesPerSecond = incomingBytesPerSecond
        self.outgoingBytesPerSecond = outgoingBytesPerSecond
    }

    /// No traffic.
    public static let zero = IPVSStatistics()
}
