/// A change of the best route of one prefix, for the driver to push to the kernel (through the
/// agent) and to every peer's `AdjRIBOut`.
public enum LocRIBChange: Hashable, Sendable, CustomStringConvertible {
    /// The prefix has a new best route (or its first).
    case bestChanged(BGPRoute)
    /// The prefix has no route any more.
    case withdrawn(BGPPrefix)

    /// The prefix changed.
    public var prefix: BGPPrefix {
        switch self {
        case .bestChanged(let route): route.prefix
        case .withdrawn(let prefix): prefix
        }
    }

    /// "best 10.1.0.0/24 from ..." or "withdrawn 10.1.0.0/24".
    public var description: String {
        switch self {
        case .bestChanged(let route): "best \(route)"
        case .withdrawn(let prefix): "withdrawn \(prefix)"
        }
    }
}
