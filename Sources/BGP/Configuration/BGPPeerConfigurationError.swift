/// A peer configuration that cannot be used: which peer, and what is wrong.
public struct BGPPeerConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The peer, as "10.0.0.1 (AS 65001)".
    public var peer: String
    /// What is wrong.
    public var problem: String

    /// An error from its parts.
    public init(peer: String, problem: String) {
        self.peer = peer
        self.problem = problem
    }

    /// "BGP peer 10.0.0.1 (AS 65001): hold time 2 s is neither 0 nor at least 3".
    public var description: String { "BGP peer \(peer): \(problem)" }
}
