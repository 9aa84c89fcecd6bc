import BGP

/// A failure of the speaker's own operations (binding a listener, setting a socket option, a bad
/// peer configuration), naming what failed and why.
public struct BGPSpeakerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What was being done ("listen on 10.0.0.1 port 179", "set TCP_MD5SIG for peer 10.0.0.2").
    public var operation: String
    /// Why it failed.
    public var problem: String

    /// An error from its parts.
    public init(operation: String, problem: String) {
        self.operation = operation
        self.problem = problem
    }

    /// "BGP speaker: listen on 10.0.0.1 port 179: Address already in use".
    public var description: String { "BGP speaker: \(operation): \(problem)" }
}
