/// A type of Kubernetes object that the client can list and watch: where it lives in the API and its metadata.
public protocol KubernetesResource: Codable, Sendable, Equatable {
    /// The API group's path, e.g. `/api/v1` or `/apis/discovery.k8s.io/v1`.
    static var apiPath: String { get }
    /// The `apiVersion` field, e.g. `v1` or `discovery.k8s.io/v1`.
    static var apiVersion: String { get }
    /// The resource name in URLs, e.g. `services`.
    static var plural: String { get }
    /// The `kind` field, e.g. `Service`.
    static var kind: String { get }
    /// Whether objects live in namespaces.
    static var namespaced: Bool { get }
    /// The object's metadata.
    var metadata: ObjectMeta { get }
}

extension KubernetesResource {
    /// The object's namespace and name.
    public var key: ObjectKey {
        metadata.key
    }

    /// The collection's URL path (unescaped; the client escapes it): all namespaces when `namespace` is nil.
    public static func collectionPath(namespace: String? = nil) -> String {
        if namespaced, let namespace {
            return "\(apiPath)/namespaces/\(namespace)/\(plural)"
        }
        return "\(apiPath)/\(plural)"
    }

    /// One object's URL path (unescaped).
    public static func objectPath(namespace: String?, name: String) -> String {
        collectionPath(namespace: namespaced ? namespace : nil) + "/" + name
    }
}
