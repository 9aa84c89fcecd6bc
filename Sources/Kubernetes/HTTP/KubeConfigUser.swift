import KubernetesModel

/// A `users[].user` entry of a kubeconfig, with relative paths already made absolute.
public struct KubeConfigUser: Sendable, Equatable {
    /// `token`: a static bearer token.
    public var token: String?
    /// `tokenFile`: a file holding the bearer token, re-read when it changes.
    public var tokenFile: String?
    /// `client-certificate`: a PEM file.
    public var clientCertificate: String?
    /// `client-certificate-data`, base64-decoded PEM.
    public var clientCertificateData: [UInt8]?
    /// `client-key`: a PEM file.
    public var clientKey: String?
    /// `client-key-data`, base64-decoded PEM.
    public var clientKeyData: [UInt8]?
    /// Authentication methods present in the entry that this client does not implement (`exec`, `auth-provider`,
    /// `username`/`password`), so that the error can name them instead of failing with a 401 later.
    public var unsupportedMethods: [String]

    /// A user entry.
    public init(
        token: String? = nil, tokenFile: String? = nil, clientCertificate: String? = nil,
        clientCertificateData: [UInt8]? = nil, clientKey: String? = nil, clientKeyData: [UInt8]? = nil,
        unsupportedMethods: [String] = []
    ) {
        self.token = token
        self.tokenFile = tokenFile
        self.clientCertificate = clientCertificate
        self.clientCertificateData = clientCertificateData
        self.clientKey = clientKey
        self.clientKeyData = clientKeyData
        self.unsupportedMethods = unsupportedMethods
    }
}
