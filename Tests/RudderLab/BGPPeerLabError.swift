/// A failure of the BGP peer lab: a daemon that would not start, output that could not be read, an unknown peer.
public struct BGPPeerLabError: Error, CustomStringConvertible, Sendable {
    /// The router or tool concerned, such as "bird in rudder-bgplab-1a2b3c4d" or "gobgp adj-in".
    public var subject: String
    /// What went wrong, in one line, followed by any log excerpt that explains it.
    public var problem: String

    /// A failure of `subject`.
    public init(_ subject: String, _ problem: String) {
        self.subject = subject
        self.problem = problem
    }

    /// "SUBJECT: PROBLEM".
    public var description: String { "\(subject): \(problem)" }
}
