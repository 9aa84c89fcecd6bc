/// A route as the RIB holds it: a prefix, where it came from, and its interned attributes.
public struct BGPRoute: Hashable, Sendable, CustomStringConvertible {
    // Ordered for a compact layout: a million of these can sit in change lists at once.
    /// Its path attributes, shared with every route that has the same.
    public var attributes: AttributeSet
    /// The destination.
    public var prefix: BGPPrefix
    /// Kept by graceful restart after its peer went away, until the peer refreshes it.
    public var stale: Bool
    /// Where the route came from.
    public var source: BGPRouteSource

    /// A route from its parts.
    public init(prefix: BGPPrefix, source: BGPRouteSource, attributes: AttributeSet, stale: Bool = false) {
        self.prefix = prefix
        self.source = source
        self.attributes = attributes
        self.stale = stale
    }

    /// "10.1.0.0/24 from external peer 10.0.0.1 (AS 65001): next hop ..., (stale)".
    public var description: String {
        "\(prefix) from \(source): \(attributes)" + (stale ? " (stale)" : "")
    }
}
