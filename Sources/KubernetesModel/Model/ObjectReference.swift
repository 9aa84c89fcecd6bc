/// A reference to another object, e.g. an endpoint's Pod (`targetRef`).
public struct ObjectReference: Codable, Sendable, Hashable {
    /// The object's kind.
    public var kind: String?
    /// The object's namespace.
    public var namespace: String?
    /// The object's name.
    public var name: String?
    /// The object's UID.
    public var uid: String?

    /// A reference.
    public init(kind: String? = nil, namespace: String? = nil, name: String? = nil, uid: String? = nil) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
    }
}
