/// Why a route is not sent to a peer.
public struct ExportRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    /// The route's prefix.
    public var prefix: BGPPrefix
    /// Why it is not sent.
    public var reason: String

    /// A refusal from its parts.
    public init(prefix: BGPPrefix, reason: String) {
        self.prefix = prefix
        self.reason = reason
    }

    /// "10.1.0.0/24 not exported: it carries NO_EXPORT".
    public var description: String { "\(prefix) not exported: \(reason)" }
}
