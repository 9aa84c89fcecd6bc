/// `spec.sessionAffinityConfig` of a Service.
public struct SessionAffinityConfig: Codable, Sendable, Hashable {
    /// The client-IP affinity settings.
    public var clientIP: ClientIPConfig?

    /// A session affinity configuration.
    public init(clientIP: ClientIPConfig? = nil) {
        self.clientIP = clientIP
    }
}
