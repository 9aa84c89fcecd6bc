import KubernetesModel
import Synchronization

/// Where the bearer token comes from; a token file is re-read whenever it changes on disk.
///
/// Service-account tokens are projected and rotated by the kubelet while the agent runs, so a token read once at
/// start-up expires. Each request asks for the current token; the file's identity, size and timestamps are compared
/// with the last read (one `stat` call) and the file is read again only when one of them changed. The description
/// never shows the token.
public final class TokenSource: Sendable, CustomStringConvertible {
    private enum Origin {
        case fixed(String)
        case file(path: String, source: String)
    }

    private struct Cached {
        var version: LocalFile.Version
        var token: String
    }

    private let origin: Origin
    private let cache = Mutex<Cached?>(nil)

    private init(origin: Origin) {
        self.origin = origin
    }

    /// A token that never changes (a kubeconfig `token`).
    public static func token(_ token: String) -> TokenSource {
        TokenSource(origin: .fixed(token.trimmingWhitespace()))
    }

    /// A token read from `path`, re-read when the file changes; `source` names where the path came from, for errors.
    public static func file(_ path: String, source: String = "token file") -> TokenSource {
        TokenSource(origin: .file(path: path, source: source))
    }

    /// The file the token is read from, if any.
    public var path: String? {
        if case .file(let path, _) = origin { return path }
        return nil
    }

    /// Which kind of token this is, without the token itself.
    public var description: String {
        switch origin {
        case .fixed: "static token (redacted)"
        case .file(let path, _): "token file \(path)"
        }
    }

    /// The token to send now.
    ///
    /// When the file cannot be read but an earlier read succeeded, the earlier token is returned: the kubelet swaps
    /// projected files atomically, so a failed read is transient, and the API server is the judge of expiry.
    public func currentToken() throws(KubernetesConfigurationError) -> String {
        switch origin {
        case .fixed(let token):
            return token
        case .file(let path, let source):
            return try cache.withLock { (cached) throws(KubernetesConfigurationError) -> String in
                let version: LocalFile.Version
                do throws(LocalFile.Failure) {
                    version = try LocalFile.version(path)
                } catch {
                    if let cached { return cached.token }
                    throw .missingFile(role: "bearer token", path: path, source: source, reason: error.reason)
                }
                if let cached, cached.version == version { return cached.token }
                let token: String
                do throws(LocalFile.Failure) {
                    token = String(decoding: try LocalFile.read(path), as: UTF8.self).trimmingWhitespace()
                } catch {
                    if let cached { return cached.token }
                    throw .missingFile(role: "bearer token", path: path, source: source, reason: error.reason)
                }
                guard !token.isEmpty else {
                    if let cached { return cached.token }
                    throw .emptyTokenFile(path: path)
                }
                cached = Cached(version: version, token: token)
                return token
            }
        }
    }

    /// Forgets the cached token so the next request reads the file even if it looks unchanged (after a 401).
    func invalidate() {
        cache.withLock { $0 = nil }
    }
}
