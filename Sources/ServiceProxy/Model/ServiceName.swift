/// A Service's identity: namespace and name.
public struct ServiceName: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The namespace.
    public var namespace: String
    /// The name.
    public var name: String

    /// A service name.
    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    public var description: String { "\(namespace)/\(name)" }

    public static func < (lhs: ServiceName, rhs: ServiceName) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }
}
