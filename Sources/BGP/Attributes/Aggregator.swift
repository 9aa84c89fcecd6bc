/// The AGGREGATOR attribute (RFC 4271 §5.1.7): the AS and router that formed an aggregate route.
public struct Aggregator: Hashable, Sendable {
    /// The aggregating speaker's AS, 4-octet after any AS4_AGGREGATOR merge.
    public var autonomousSystem: UInt32
    /// The aggregating speaker's IPv4 address (its BGP identifier).
    public var address: BGPAddress

    /// An aggregator from its parts.
    public init(autonomousSystem: UInt32, address: BGPAddress) {
        self.autonomousSystem = autonomousSystem
        self.address = address
    }
}
