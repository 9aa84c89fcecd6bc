import Foundation
import KubernetesModel
import Yams

/// A parsed kubeconfig file: named clusters, users and contexts, and the current context.
///
/// Only what a client needs is kept. Relative file paths are resolved against the kubeconfig's own directory, as
/// kubectl does, and `*-data` fields are base64-decoded here so that a bad value is reported with its entry's name.
public struct KubeConfig: Sendable, Equatable {
    /// The file this was read from, for error messages.
    public var path: String
    /// Clusters by name.
    public var clusters: [String: KubeConfigCluster]
    /// Users by name.
    public var users: [String: KubeConfigUser]
    /// Contexts by name.
    public var contexts: [String: KubeConfigContext]
    /// `current-context`, if set and not empty.
    public var currentContext: String?

    /// Reads and parses the kubeconfig at `path`.
    public static func load(path: String) throws(KubernetesConfigurationError) -> KubeConfig {
        let bytes: [UInt8]
        do throws(LocalFile.Failure) {
            bytes = try LocalFile.read(path)
        } catch {
            throw .unreadableKubeconfig(path: path, reason: error.reason)
        }
        return try KubeConfig(yaml: String(decoding: bytes, as: UTF8.self), path: path)
    }

    /// Parses kubeconfig YAML; relative paths resolve against the directory of `path`.
    public init(yaml: String, path: String) throws(KubernetesConfigurationError) {
        let raw: RawConfig
        do {
            raw = try YAMLDecoder().decode(RawConfig.self, from: yaml)
        } catch let error as DecodingError {
            throw .invalidKubeconfig(path: path, problem: DecodingProblem(error).description)
        } catch {
            throw .invalidKubeconfig(path: path, problem: "\(error)")
        }
        let directory = LocalFile.directory(of: path)
        func absolute(_ file: String?) -> String? {
            guard let file, !file.isEmpty else { return nil }
            return LocalFile.resolve(file, against: directory)
        }
        func decoded(_ text: String?, field: String, entry: String) throws(KubernetesConfigurationError) -> [UInt8]? {
            guard let text, !text.isEmpty else { return nil }
            let compact = text.filter { !$0.isWhitespace }
            guard let data = Data(base64Encoded: compact) else {
                throw .invalidBase64(field: field, entry: entry, kubeconfig: path)
            }
            return [UInt8](data)
        }

        self.path = path
        clusters = [:]
        for entry in raw.clusters ?? [] {
            let cluster = entry.value ?? RawCluster()
            clusters[entry.name] = KubeConfigCluster(
                server: cluster.server ?? "",
                certificateAuthority: absolute(cluster.certificateAuthority),
                certificateAuthorityData: try decoded(
                    cluster.certificateAuthorityData, field: "certificate-authority-data", entry: entry.name),
                insecureSkipTLSVerify: cluster.insecureSkipTLSVerify ?? false,
                tlsServerName: cluster.tlsServerName.flatMap { $0.isEmpty ? nil : $0 },
                proxyURL: cluster.proxyURL.flatMap { $0.isEmpty ? nil : $0 })
        }
        users = [:]
        for entry in raw.users ?? [] {
            let user = entry.value ?? RawUser()
            var unsupported: [String] = []
            if user.exec != nil { unsupported.append("an exec credential plugin") }
            if user.authProvider != nil { unsupported.append("an auth-provider") }
            if user.username != nil || user.password != nil { unsupported.append("basic authentication") }
            users[entry.name] = KubeConfigUser(
                token: user.token.flatMap { $0.isEmpty ? nil : $0 },
                tokenFile: absolute(user.tokenFile),
                clientCertificate: absolute(user.clientCertificate),
                clientCertificateData: try decoded(
                    user.clientCertificateData, field: "client-certificate-data", entry: entry.name),
                clientKey: absolute(user.clientKey),
                clientKeyData: try decoded(user.clientKeyData, field: "client-key-data", entry: entry.name),
                unsupportedMethods: unsupported)
        }
        contexts = [:]
        for entry in raw.contexts ?? [] {
            let context = entry.value ?? RawContext()
            contexts[entry.name] = KubeConfigContext(
                cluster: context.cluster ?? "", user: context.user ?? "",
                namespace: context.namespace.flatMap { $0.isEmpty ? nil : $0 })
        }
        currentContext = raw.currentContext.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A kubeconfig built in code.
    public init(
        path: String, clusters: [String: KubeConfigCluster], users: [String: KubeConfigUser],
        contexts: [String: KubeConfigContext], currentContext: String?
    ) {
        self.path = path
        self.clusters = clusters
        self.users = users
        self.contexts = contexts
        self.currentContext = currentContext
    }
}

// The file's shape, as kubectl writes it; everything optional so that errors come from the checks above, which name
// the entry, rather than from the decoder.
private struct RawConfig: Decodable {
    var clusters: [RawNamed<RawCluster, ClusterKey>]?
    var users: [RawNamed<RawUser, UserKey>]?
    var contexts: [RawNamed<RawContext, ContextKey>]?
    var currentContext: String?

    enum CodingKeys: String, CodingKey {
        case clusters, users, contexts
        case currentContext = "current-context"
    }
}

private protocol RawEntryKey {
    static var field: String { get }
}

private enum ClusterKey: RawEntryKey { static let field = "cluster" }
private enum UserKey: RawEntryKey { static let field = "user" }
private enum ContextKey: RawEntryKey { static let field = "context" }

private struct RawNamed<Value: Decodable, Key: RawEntryKey>: Decodable {
    var name: String
    var value: Value?

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        name = try container.decode(String.self, forKey: AnyKey(stringValue: "name"))
        value = try container.decodeIfPresent(Value.self, forKey: AnyKey(stringValue: Key.field))
    }
}

private struct RawCluster: Decodable {
    var server: String?
    var certificateAuthority: String?
    var certificateAuthorityData: String?
    var insecureSkipTLSVerify: Bool?
    var tlsServerName: String?
    var proxyURL: String?

    enum CodingKeys: String, CodingKey {
        case server
        case certificateAuthority = "certificate-authority"
        case certificateAuthorityData = "certificate-authority-data"
        case insecureSkipTLSVerify = "insecure-skip-tls-verify"
        case tlsServerName = "tls-server-name"
        case proxyURL = "proxy-url"
    }
}

private struct RawUser: Decodable {
    var token: String?
    var tokenFile: String?
    var clientCertificate: String?
    var clientCertificateData: String?
    var clientKey: String?
    var clientKeyData: String?
    var username: String?
    var password: String?
    var exec: IgnoredValue?
    var authProvider: IgnoredValue?

    enum CodingKeys: String, CodingKey {
        case token, tokenFile, username, password, exec
        case clientCertificate = "client-certificate"
        case clientCertificateData = "client-certificate-data"
        case clientKey = "client-key"
        case clientKeyData = "client-key-data"
        case authProvider = "auth-provider"
    }
}

private struct RawContext: Decodable {
    var cluster: String?
    var user: String?
    var namespace: String?
}

/// Any YAML value whose presence matters but whose contents do not.
private struct IgnoredValue: Decodable {
    init(from decoder: any Decoder) throws {}
}
