import KubernetesModel

/// A `clusters[].cluster` entry of a kubeconfig, with relative paths already made absolute.
public struct KubeConfigCluster: Sendable, Equatable {
    /// The API server's URL as written (`server`).
    public var server: String
    /// `certificate-authority`: a CA bundle file.
    public var certificateAuthority: String?
    /// `certificate-authority-data`, base64-decoded.
    public var certificateAuthorityData: [UInt8]?
    /// `insecure-skip-tls-verify`.
    public var insecureSkipTLSVerify: Bool
    /// `tls-server-name`: the name to verify the server's certificate against, when it differs from the URL's host.
    public var tlsServerName: String?
    /// `proxy-url`: the proxy to reach the API server through.
    public var proxyURL: String?

    /// A cluster entry.
    public init(
        server: String, certificateAuthority: String? = nil, certificateAuthorityData: [UInt8]? = nil,
        insecureSkipTLSVerify: Bool = false, tlsServerName: String? = nil, proxyURL: String? = nil
    ) {
        self.server = server
        self.certificateAuthority = certificateAuthority
        self.certificateAuthorityData = certificateAuthorityData
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.tlsServerName = tlsServerName
        self.proxyURL = proxyURL
    }
}
