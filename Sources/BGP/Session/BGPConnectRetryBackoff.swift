/// Exponential backoff between connection attempts, so a peer that is down is not hammered: each
/// failure doubles the delay from `initial` up to `maximum`; an Established session resets it.
public struct BGPConnectRetryBackoff: Hashable, Sendable {
    /// The first delay.
    public var initial: Duration
    /// The longest delay.
    public var maximum: Duration
    /// The delay the next failure will wait.
    public private(set) var current: Duration

    /// A backoff from its bounds (by default 1 s doubling up to 120 s).
    public init(initial: Duration = .seconds(1), maximum: Duration = .seconds(120)) {
        self.initial = initial
        self.maximum = maximum
        self.current = initial
    }

    /// The delay to wait now; the one after it is doubled, up to the maximum.
    public mutating func next() -> Duration {
        let delay = min(current, maximum)
        current = min(current * 2, maximum)
        return delay
    }

    /// Starts again from the initial delay.
    public mutating func reset() {
        current = initial
    }
}
