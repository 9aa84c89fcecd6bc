/// `sessionAffinityConfig.clientIP`: how long a client stays with its endpoint.
public struct ClientIPConfig: Codable, Sendable, Hashable {
    /// Seconds of stickiness; the API server defaults it to 10800 (3 hours).
    public var timeoutSeconds: Int?

    /// A client-IP affinity setting.
    public init(timeoutSeconds: Int? = nil) {
        self.timeoutSeconds = timeoutSeconds
    }
}
