/// Why a client configuration could not be built; each case names the file and the entry at fault.
public enum KubernetesConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kubeconfig file could not be read.
    case unreadableKubeconfig(path: String, reason: String)
    /// The kubeconfig is not valid YAML or does not have the kubeconfig shape.
    case invalidKubeconfig(path: String, problem: String)
    /// No context was asked for and the kubeconfig has no `current-context`.
    case noCurrentContext(kubeconfig: String)
    /// A context, cluster or user named by the kubeconfig (or the caller) does not exist in it.
    case missingEntry(kind: String, name: String, kubeconfig: String)
    /// The cluster's `server` is missing or not an http(s) URL.
    case invalidServer(server: String, cluster: String, kubeconfig: String)
    /// A file the configuration points at (CA, client certificate or key, token) does not exist or cannot be read.
    case missingFile(role: String, path: String, source: String, reason: String)
    /// A `*-data` field is not valid base64.
    case invalidBase64(field: String, entry: String, kubeconfig: String)
    /// TLS verification off (`insecure-skip-tls-verify`, or a plain http server) without the caller's consent.
    case insecureRefused(cluster: String, kubeconfig: String, reason: String)
    /// The user authenticates in a way this client does not implement (exec plugins, auth providers, basic auth).
    case unsupportedAuthentication(user: String, method: String, kubeconfig: String)
    /// A client certificate without its key, or the reverse.
    case incompleteClientCertificate(user: String, kubeconfig: String)
    /// The in-cluster environment variables are missing or malformed.
    case notInCluster(reason: String)
    /// The bearer token file exists but holds no token.
    case emptyTokenFile(path: String)
    /// A configuration built in code that a client cannot use (a server URL that is not http(s), plain http
    /// without consent).
    case unusableServer(server: String, reason: String)

    /// One line a user can act on.
    public var description: String {
        switch self {
        case .unreadableKubeconfig(let path, let reason):
            "cannot read kubeconfig \(path): \(reason)"
        case .invalidKubeconfig(let path, let problem):
            "kubeconfig \(path) is invalid: \(problem)"
        case .noCurrentContext(let kubeconfig):
            "kubeconfig \(kubeconfig) has no current-context; name a context explicitly"
        case .missingEntry(let kind, let name, let kubeconfig):
            "kubeconfig \(kubeconfig) has no \(kind) named \"\(name)\""
        case .invalidServer(let server, let cluster, let kubeconfig):
            "cluster \"\(cluster)\" in kubeconfig \(kubeconfig) has an invalid server \"\(server)\" "
                + "(expected https://host[:port][/path])"
        case .missingFile(let role, let path, let source, let reason):
            "\(role) file \(path) (from \(source)) cannot be read: \(reason)"
        case .invalidBase64(let field, let entry, let kubeconfig):
            "\(field) of \"\(entry)\" in kubeconfig \(kubeconfig) is not valid base64"
        case .insecureRefused(let cluster, let kubeconfig, let reason):
            "cluster \"\(cluster)\" in kubeconfig \(kubeconfig) \(reason); refusing to talk to the API server "
                + "without verifying it (allow it explicitly to proceed)"
        case .unsupportedAuthentication(let user, let method, let kubeconfig):
            "user \"\(user)\" in kubeconfig \(kubeconfig) authenticates with \(method), which Rudder does not "
                + "support; use a token, a token file or a client certificate"
        case .incompleteClientCertificate(let user, let kubeconfig):
            "user \"\(user)\" in kubeconfig \(kubeconfig) needs both a client certificate and a client key"
        case .notInCluster(let reason):
            "not running inside a Kubernetes pod: \(reason)"
        case .emptyTokenFile(let path):
            "bearer token file \(path) is empty"
        case .unusableServer(let server, let reason):
            "cannot use API server \(server): \(reason)"
        }
    }
}
