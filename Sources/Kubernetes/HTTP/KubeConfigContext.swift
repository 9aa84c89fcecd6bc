import KubernetesModel

/// A `contexts[].context` entry of a kubeconfig: which cluster, as which user.
public struct KubeConfigContext: Sendable, Equatable {
    /// The cluster's name.
    public var cluster: String
    /// The user's name.
    public var user: String
    /// The default namespace, if any.
    public var namespace: String?

    /// A context entry.
    public init(cluster: String, user: String, namespace: String? = nil) {
        self.cluster = cluster
        self.user = user
        self.namespace = namespace
    }
}
