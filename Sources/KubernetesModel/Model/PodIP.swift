/// One of a pod's addresses (`status.podIPs[]`).
public struct PodIP: Codable, Sendable, Hashable {
    /// The address.
    public var ip: String

    /// A pod address.
    public init(ip: String) {
        self.ip = ip
    }
}
