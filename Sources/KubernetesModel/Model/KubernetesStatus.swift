/// The API server's `Status` object: the body of an error response and of a watch `ERROR` event.
public struct KubernetesStatus: Codable, Sendable, Hashable {
    /// `Success` or `Failure`.
    public var status: String?
    /// A sentence for humans.
    public var message: String?
    /// A machine-readable reason, e.g. `Expired`, `NotFound`, `Unauthorized`.
    public var reason: String?
    /// The HTTP status code it stands for.
    public var code: Int?

    /// A status.
    public init(status: String? = nil, message: String? = nil, reason: String? = nil, code: Int? = nil) {
        self.status = status
        self.message = message
        self.reason = reason
        self.code = code
    }
}
