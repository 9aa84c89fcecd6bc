/// A policy that cannot be used: which policy, and what is wrong with it.
public struct BGPPolicyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The policy's name.
    public var policy: String
    /// What is wrong.
    public var problem: String

    /// An error from its parts.
    public init(policy: String, problem: String) {
        self.policy = policy
        self.problem = problem
    }

    /// "policy \"tor-in\": rule 2: ...".
    public var description: String { "policy \"\(policy)\": \(problem)" }
}
