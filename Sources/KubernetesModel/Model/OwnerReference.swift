/// One entry of `metadata.ownerReferences`: which object owns this one.
public struct OwnerReference: Codable, Sendable, Hashable {
    /// The owner's API version, e.g. `apps/v1`.
    public var apiVersion: String
    /// The owner's kind, e.g. `ReplicaSet`.
    public var kind: String
    /// The owner's name.
    public var name: String
    /// The owner's UID.
    public var uid: String
    /// Whether the owner is the managing controller.
    public var controller: Bool?

    /// An owner reference.
    public init(apiVersion: String, kind: String, name: String, uid: String, controller: Bool? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
    }
}
