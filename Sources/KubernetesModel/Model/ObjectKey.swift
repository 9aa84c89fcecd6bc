/// The identity of an object within its resource type: namespace (nil for cluster-scoped objects) and name.
public struct ObjectKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The namespace; nil for cluster-scoped objects such as Nodes.
    public var namespace: String?
    /// The name.
    public var name: String

    /// A key.
    public init(namespace: String?, name: String) {
        self.namespace = namespace.flatMap { $0.isEmpty ? nil : $0 }
        self.name = name
    }

    /// `namespace/name`, or `name` for cluster-scoped objects, as kubectl prints it.
    public var description: String {
        namespace.map { "\($0)/\(name)" } ?? name
    }

    /// Orders by namespace, then name, so that events derived from a map come out in a stable order.
    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.namespace ?? "", lhs.name) < (rhs.namespace ?? "", rhs.name)
    }
}
