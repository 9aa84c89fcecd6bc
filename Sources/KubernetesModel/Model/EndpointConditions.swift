/// The state of one endpoint; nil means unknown, which consumers should read as ready (the API's convention).
public struct EndpointConditions: Codable, Sendable, Hashable {
    /// Ready for new connections (false while terminating).
    public var ready: Bool?
    /// Able to serve, whether or not terminating.
    public var serving: Bool?
    /// Shutting down.
    public var terminating: Bool?

    /// Conditions.
    public init(ready: Bool? = nil, serving: Bool? = nil, terminating: Bool? = nil) {
        self.ready = ready
        self.serving = serving
        self.terminating = terminating
    }
}
