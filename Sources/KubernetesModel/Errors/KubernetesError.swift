import Foundation

/// Why a request to the API server, or an object in its answer, failed; the description is one line for a user.
public enum KubernetesError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request did not get an HTTP answer: libcurl's code and error text, and the URL.
    case transport(code: Int, message: String, url: String)
    /// The API server answered with an error status; reason and message come from its `Status` body.
    case http(status: Int, reason: String?, message: String?, url: String)
    /// 401: the token or client certificate was not accepted.
    case unauthorized(message: String?, url: String)
    /// 410 Gone: the resource version (or continue token) is older than the API server keeps; re-list.
    case gone(message: String?, url: String)
    /// An object (or a whole response) could not be decoded: its kind, its identity when known, where and why.
    case decoding(kind: String, object: ObjectKey?, path: String, problem: String)
    /// A credential could not be loaded for the request (a token file that disappeared before it was ever read).
    case credentials(KubernetesConfigurationError)

    /// One line a user can act on.
    public var description: String {
        switch self {
        case .transport(let code, let message, let url):
            "\(url): \(message) (curl error \(code))"
        case .http(let status, let reason, let message, let url):
            "\(url): HTTP \(status)" + (reason.map { " \($0)" } ?? "") + (message.map { ": \($0)" } ?? "")
        case .unauthorized(let message, let url):
            "\(url): HTTP 401 Unauthorized: the API server rejected the credentials"
                + (message.map { " (\($0))" } ?? "")
        case .gone(let message, let url):
            "\(url): HTTP 410 Gone" + (message.map { ": \($0)" } ?? "")
        case .decoding(let kind, let object, let path, let problem):
            "\(kind)" + (object.map { " \($0)" } ?? "") + ": " + (path.isEmpty ? problem : "\(path): \(problem)")
        case .credentials(let error):
            error.description
        }
    }

    /// The HTTP status the error stands for, if any.
    public var httpStatus: Int? {
        switch self {
        case .http(let status, _, _, _): status
        case .unauthorized: 401
        case .gone: 410
        default: nil
        }
    }

    /// The error for a non-2xx answer, with the reason and message from its `Status` body when it has one.
    package static func response(status: Int, body: [UInt8], url: String) -> KubernetesError {
        let decoded = body.isEmpty ? nil : try? KubernetesJSONDecoder.decode(KubernetesStatus.self, from: body)
        var message = decoded?.message
        if decoded == nil, !body.isEmpty {
            // Not a Status: a proxy's or load balancer's page. Keep a short, single-line excerpt.
            let text = String(decoding: body.prefix(200), as: UTF8.self)
            message = text.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingWhitespace()
        }
        return from(status: status, reason: decoded?.reason, message: message, url: url)
    }

    /// The error for a `Status` (an HTTP error body or a watch `ERROR` event).
    package static func from(status: Int, reason: String?, message: String?, url: String) -> KubernetesError {
        switch status {
        case 401: .unauthorized(message: message, url: url)
        case 410: .gone(message: message, url: url)
        default: .http(status: status, reason: reason, message: message, url: url)
        }
    }
}
