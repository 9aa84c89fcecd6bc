import Foundation
import KubernetesModel

/// Everything a `KubernetesHTTPClient` needs to reach and authenticate to one API server.
///
/// Built from a kubeconfig (`fromKubeconfig`), from a pod's service account (`inCluster`), or by `discover`, which
/// picks between the two the way a node agent should. Files (CA, client certificate and key, token) stay paths so
/// that rotated files are picked up without a restart; every file is checked once here, so that a missing one is
/// reported at start-up with the kubeconfig that named it rather than as a TLS failure on the first request.
public struct ClientConfiguration: Sendable {
    /// Where the in-cluster credentials are mounted.
    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// The API server's base URL; a path prefix (for an API server behind a proxy) is kept.
    public var server: URL
    /// The CA that signs the server's certificate; nil trusts the system's CAs.
    public var certificateAuthority: PEMSource?
    /// The client certificate, for certificate authentication.
    public var clientCertificate: PEMSource?
    /// The client certificate's private key.
    public var clientKey: PEMSource?
    /// The name to verify the server's certificate against instead of the URL's host (`tls-server-name`).
    public var tlsServerName: String?
    /// The bearer token, if the client authenticates with one.
    public var tokenSource: TokenSource?
    /// A proxy for every request (`proxy-url`: http, https or socks5); an empty string means no proxy at all.
    /// When nil, the usual `HTTPS_PROXY` and `NO_PROXY` environment variables apply, as they do for client-go.
    public var proxyURL: String?
    /// Skips verification of the server's certificate, and permits plain http; only ever true by explicit consent.
    public var allowInsecure: Bool
    /// The namespace of the kubeconfig context or of the pod, for callers that want a default.
    public var namespace: String?
    /// The User-Agent header, "rudder/<version>" as the agent sets it.
    public var userAgent: String
    /// How long establishing a connection (TCP and TLS) may take.
    public var connectTimeout: Duration
    /// How long a whole non-watch request may take; a page of a big LIST is the longest.
    public var requestTimeout: Duration
    /// How long a watch may stay silent before the connection counts as dead. The API server sends a bookmark
    /// about once a minute to watches that ask for them, so a healthy watch is never silent for this long.
    public var watchIdleTimeout: Duration

    /// A configuration built in code.
    public init(
        server: URL, certificateAuthority: PEMSource? = nil, clientCertificate: PEMSource? = nil,
        clientKey: PEMSource? = nil, tlsServerName: String? = nil, tokenSource: TokenSource? = nil,
        proxyURL: String? = nil, allowInsecure: Bool = false, namespace: String? = nil, userAgent: String = "rudder",
        connectTimeout: Duration = .seconds(10), requestTimeout: Duration = .seconds(60),
        watchIdleTimeout: Duration = .seconds(150)
    ) {
        self.server = server
        self.certificateAuthority = certificateAuthority
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.tlsServerName = tlsServerName
        self.tokenSource = tokenSource
        self.proxyURL = proxyURL
        self.allowInsecure = allowInsecure
        self.namespace = namespace
        self.userAgent = userAgent
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.watchIdleTimeout = watchIdleTimeout
    }

    /// The configuration of `context` (default: `current-context`) in the kubeconfig at `path`.
    ///
    /// `insecure-skip-tls-verify: true` and plain-http servers are refused unless `allowInsecure` is true.
    public static func fromKubeconfig(
        path: String, context: String? = nil, allowInsecure: Bool = false
    ) throws(KubernetesConfigurationError) -> ClientConfiguration {
        try fromKubeconfig(KubeConfig.load(path: path), context: context, allowInsecure: allowInsecure)
    }

    /// The configuration of `context` (default: `current-context`) in an already parsed kubeconfig.
    public static func fromKubeconfig(
        _ kubeconfig: KubeConfig, context contextName: String? = nil, allowInsecure: Bool = false
    ) throws(KubernetesConfigurationError) -> ClientConfiguration {
        let file = kubeconfig.path
        guard let contextName = contextName ?? kubeconfig.currentContext else {
            throw .noCurrentContext(kubeconfig: file)
        }
        guard let context = kubeconfig.contexts[contextName] else {
            throw .missingEntry(kind: "context", name: contextName, kubeconfig: file)
        }
        guard let cluster = kubeconfig.clusters[context.cluster] else {
            throw .missingEntry(kind: "cluster", name: context.cluster, kubeconfig: file)
        }
        guard let user = kubeconfig.users[context.user] else {
            throw .missingEntry(kind: "user", name: context.user, kubeconfig: file)
        }

        guard let server = URL(string: cluster.server), let scheme = server.scheme?.lowercased(),
            scheme == "https" || scheme == "http", let host = server.host, !host.isEmpty
        else {
            throw .invalidServer(server: cluster.server, cluster: context.cluster, kubeconfig: file)
        }
        if cluster.insecureSkipTLSVerify && !allowInsecure {
            throw .insecureRefused(
                cluster: context.cluster, kubeconfig: file, reason: "sets insecure-skip-tls-verify: true")
        }
        if scheme == "http" && !allowInsecure {
            throw .insecureRefused(
                cluster: context.cluster, kubeconfig: file, reason: "uses plain http (\(cluster.server))")
        }

        let source = "kubeconfig \(file)"
        var configuration = ClientConfiguration(server: server, namespace: context.namespace)
        configuration.allowInsecure = cluster.insecureSkipTLSVerify || scheme == "http"
        configuration.tlsServerName = cluster.tlsServerName
        configuration.proxyURL = cluster.proxyURL
        if let data = cluster.certificateAuthorityData {
            configuration.certificateAuthority = .data(data)
        } else if let path = cluster.certificateAuthority {
            try requireReadable(path, role: "certificate authority", source: source)
            configuration.certificateAuthority = .file(path)
        }

        if let method = user.unsupportedMethods.first, user.token == nil, user.tokenFile == nil,
            user.clientCertificate == nil, user.clientCertificateData == nil
        {
            throw .unsupportedAuthentication(user: context.user, method: method, kubeconfig: file)
        }
        // As in client-go, a token file wins over a static token: it is the one that gets rotated.
        if let path = user.tokenFile {
            try requireReadable(path, role: "bearer token", source: source)
            configuration.tokenSource = .file(path, source: source)
        } else if let token = user.token {
            configuration.tokenSource = .token(token)
        }
        if let data = user.clientCertificateData {
            configuration.clientCertificate = .data(data)
        } else if let path = user.clientCertificate {
            try requireReadable(path, role: "client certificate", source: source)
            configuration.clientCertificate = .file(path)
        }
        if let data = user.clientKeyData {
            configuration.clientKey = .data(data)
        } else if let path = user.clientKey {
            try requireReadable(path, role: "client key", source: source)
            configuration.clientKey = .file(path)
        }
        if (configuration.clientCertificate == nil) != (configuration.clientKey == nil) {
            throw .incompleteClientCertificate(user: context.user, kubeconfig: file)
        }
        return configuration
    }

    /// The configuration of a pod's service account: the API server from KUBERNETES_SERVICE_HOST and
    /// KUBERNETES_SERVICE_PORT, the token and CA from the mounted service account.
    public static func inCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        tokenPath: String = serviceAccountDirectory + "/token",
        caPath: String = serviceAccountDirectory + "/ca.crt"
    ) throws(KubernetesConfigurationError) -> ClientConfiguration {
        guard let rawHost = environment["KUBERNETES_SERVICE_HOST"], !rawHost.isEmpty,
            let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else {
            throw .notInCluster(reason: "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set")
        }
        guard let portNumber = Int(port), (1...65535).contains(portNumber) else {
            throw .notInCluster(reason: "KUBERNETES_SERVICE_PORT is not a port number: \"\(port)\"")
        }
        let host = rawHost.contains(":") && !rawHost.hasPrefix("[") ? "[\(rawHost)]" : rawHost
        guard let server = URL(string: "https://\(host):\(portNumber)") else {
            throw .notInCluster(reason: "KUBERNETES_SERVICE_HOST is not a host name or address: \"\(rawHost)\"")
        }
        let source = "the in-cluster service account"
        try requireReadable(tokenPath, role: "service account token", source: source)
        try requireReadable(caPath, role: "certificate authority", source: source)
        let namespaceFile = LocalFile.directory(of: tokenPath) + "/namespace"
        let namespace = (try? LocalFile.read(namespaceFile)).map { String(decoding: $0, as: UTF8.self) }
        return ClientConfiguration(
            server: server, certificateAuthority: .file(caPath), tokenSource: .file(tokenPath, source: source),
            namespace: namespace.map { $0.trimmingWhitespace() }.flatMap { $0.isEmpty ? nil : $0 })
    }

    /// The configuration a node agent should use: an explicit kubeconfig if given, else the pod's service account
    /// when running in a pod, else `$KUBECONFIG` (its first file) or `~/.kube/config`.
    public static func discover(
        kubeconfig: String? = nil, context: String? = nil, allowInsecure: Bool = false,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(KubernetesConfigurationError) -> ClientConfiguration {
        if let kubeconfig {
            return try fromKubeconfig(path: kubeconfig, context: context, allowInsecure: allowInsecure)
        }
        if environment["KUBERNETES_SERVICE_HOST"].map({ !$0.isEmpty }) ?? false {
            return try inCluster(environment: environment)
        }
        if let list = environment["KUBECONFIG"],
            let first = list.split(separator: ":").map(String.init).first(where: { !$0.isEmpty })
        {
            return try fromKubeconfig(path: first, context: context, allowInsecure: allowInsecure)
        }
        if let home = environment["HOME"], LocalFile.unreadableReason(home + "/.kube/config") == nil {
            return try fromKubeconfig(path: home + "/.kube/config", context: context, allowInsecure: allowInsecure)
        }
        throw .notInCluster(
            reason: "KUBERNETES_SERVICE_HOST is not set and no kubeconfig was given ($KUBECONFIG, ~/.kube/config)")
    }

    private static func requireReadable(
        _ path: String, role: String, source: String
    ) throws(KubernetesConfigurationError) {
        if let reason = LocalFile.unreadableReason(path) {
            throw .missingFile(role: role, path: path, source: source, reason: reason)
        }
    }
}
