import CCurl
import Foundation
import KubernetesModel
import Logging
import Synchronization

/// HTTP/1.1 to one API server through libcurl: GETs, LISTs and watch streams, with TLS and bearer-token or
/// client-certificate authentication.
///
/// Every transfer runs on a thread of its own, never on Swift's cooperative pool: the thread drives a libcurl multi
/// handle and sleeps in `curl_multi_poll`, and cancelling the calling task (or dropping a stream) wakes it with
/// `curl_multi_wakeup`, so the transfer ends at once. Finished handles go back to a small pool, keeping their
/// connections alive for the next request. The token is read from its `TokenSource` on each request, on that thread,
/// and is never logged.
public final class KubernetesHTTPClient: Sendable {
    /// The configuration the client was built from.
    public let configuration: ClientConfiguration
    let logger: Logger
    private let baseURL: String
    private let tls: CurlTLSOptions
    private let idleSessions = Mutex<[CurlSession]>([])
    private static let maximumIdleSessions = 8

    /// A client for `configuration`; fails only if the server URL cannot be used.
    public init(
        configuration: ClientConfiguration, logger: Logger = Logger(label: "rudder.kubernetes")
    ) throws(KubernetesConfigurationError) {
        self.configuration = configuration
        self.logger = logger
        let server = configuration.server
        guard let components = URLComponents(url: server, resolvingAgainstBaseURL: false),
            let scheme = components.scheme?.lowercased(), scheme == "https" || scheme == "http",
            var host = components.host, !host.isEmpty
        else {
            throw .unusableServer(server: server.absoluteString, reason: "expected https://host[:port][/path]")
        }
        if scheme == "http" && !configuration.allowInsecure {
            throw .unusableServer(
                server: server.absoluteString, reason: "plain http sends credentials in clear; not allowed")
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let bracketed = host.contains(":") ? "[\(host)]" : host
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        var path = components.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        var connectTo: String?
        var urlHost = bracketed
        if let name = configuration.tlsServerName, name != host {
            urlHost = name
            connectTo = "\(name):\(port):\(bracketed):\(port)"
        }
        baseURL = "\(scheme)://\(urlHost):\(port)\(path)"
        tls = CurlTLSOptions(
            certificateAuthority: configuration.certificateAuthority,
            clientCertificate: configuration.clientCertificate,
            clientKey: configuration.clientKey, verify: !configuration.allowInsecure, connectTo: connectTo)
    }

    /// GETs `path` (unescaped; each segment is escaped here) with `query`, and returns the status and body
    /// whatever the status; only a failure to get an answer throws (`KubernetesError.transport`).
    public func get(path: String, query: [(String, String)] = []) async throws -> (status: Int, body: [UInt8]) {
        try await perform(path: path, query: query) { status, body in (status, body) }
    }

    /// GETs `path` and streams the response one line at a time (a watch: one JSON event per line).
    ///
    /// A non-2xx answer ends the stream with the `KubernetesError` for its status and `Status` body. Ending the
    /// iteration, or cancelling its task, aborts the transfer at once. `timeout` bounds the whole stream (give the
    /// watch's `timeoutSeconds` plus some slack); the configuration's `watchIdleTimeout` ends a stream that stays
    /// silent, as a dead connection does.
    public func stream(
        path: String, query: [(String, String)] = [], timeout: Duration? = nil
    ) -> AsyncThrowingStream<[UInt8], any Error> {
        lines(path: path, query: query, timeout: timeout) { $0 }
    }

    /// Streams `path` line by line, turning each line into an element on the transfer's thread.
    func lines<Element: Sendable>(
        path: String, query: [(String, String)], timeout: Duration?,
        transform: @escaping @Sendable ([UInt8]) throws -> Element
    ) -> AsyncThrowingStream<Element, any Error> {
        let (stream, continuation) = AsyncThrowingStream<Element, any Error>.makeStream()
        let control = TransferControl()
        continuation.onTermination = { _ in control.cancel() }
        let url = url(path: path, query: query)
        startThread(name: "rudder-kube-watch") {
            let result = self.transfer(
                url: url, timeout: timeout, idleTimeout: self.configuration.watchIdleTimeout, control: control,
                mode: .lines { line in
                    do {
                        if case .terminated = continuation.yield(try transform(line)) { return false }
                        return true
                    } catch {
                        continuation.finish(throwing: error)
                        return false
                    }
                })
            switch result {
            case .success(let response) where (200..<300).contains(response.status):
                continuation.finish()
            case .success(let response):
                continuation.finish(
                    throwing: KubernetesError.response(status: response.status, body: response.body, url: url))
            case .failure(let error):
                continuation.finish(throwing: error)
            }
        }
        return stream
    }

    /// GETs `path`, then runs `handle` on the status and body on the transfer's thread (decoding a big LIST there
    /// keeps it off the cooperative pool).
    func perform<Result: Sendable>(
        path: String, query: [(String, String)],
        handle: @escaping @Sendable (_ status: Int, _ body: [UInt8]) throws -> Result
    ) async throws -> Result {
        let control = TransferControl()
        let url = url(path: path, query: query)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                startThread(name: "rudder-kube-http") {
                    let result = self.transfer(
                        url: url, timeout: self.configuration.requestTimeout, idleTimeout: nil, control: control,
                        mode: .buffer)
                    continuation.resume(
                        with: result.flatMap { response in
                            Swift.Result { try handle(response.status, response.body) }
                        })
                }
            }
        } onCancel: {
            control.cancel()
        }
    }

    /// The full URL for `path` and `query`, both escaped.
    func url(path: String, query: [(String, String)]) -> String {
        let normalized = path.hasPrefix("/") ? path : "/" + path
        return baseURL + PathEscaping.path(normalized) + PathEscaping.query(query)
    }

    private func startThread(name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.name = name
        thread.start()
    }

    private struct Response {
        var status: Int
        var body: [UInt8]
    }

    /// Runs one transfer on the current (dedicated) thread.
    private func transfer(
        url: String, timeout: Duration?, idleTimeout: Duration?, control: TransferControl, mode: ResponseSink.Mode
    ) -> Swift.Result<Response, any Error> {
        if control.isCancelled { return .failure(CancellationError()) }
        var headers = ["Accept: application/json"]
        if let tokenSource = configuration.tokenSource {
            do {
                headers.append("Authorization: Bearer \(try tokenSource.currentToken())")
            } catch {
                return .failure(KubernetesError.credentials(error))
            }
        }
        guard let session = idleSessions.withLock({ $0.popLast() }) ?? CurlSession() else {
            return .failure(KubernetesError.transport(code: -1, message: "libcurl could not create a handle", url: url))
        }
        session.reset()
        let easy = session.easy
        var headerList: UnsafeMutablePointer<curl_slist>?
        var connectToList: UnsafeMutablePointer<curl_slist>?
        defer {
            curl_slist_free_all(headerList)
            curl_slist_free_all(connectToList)
        }
        for header in headers { headerList = curl_slist_append(headerList, header) }
        _ = rudder_curl_setopt_string(easy, CURLOPT_URL, url)
        _ = rudder_curl_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList)
        _ = rudder_curl_setopt_string(easy, CURLOPT_USERAGENT, configuration.userAgent)
        _ = rudder_curl_setopt_long(easy, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
        _ = rudder_curl_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = rudder_curl_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        _ = rudder_curl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, configuration.connectTimeout.milliseconds)
        if let timeout { _ = rudder_curl_setopt_long(easy, CURLOPT_TIMEOUT_MS, timeout.milliseconds) }
        if let idleTimeout {
            _ = rudder_curl_setopt_long(easy, CURLOPT_LOW_SPEED_LIMIT, 1)
            _ = rudder_curl_setopt_long(easy, CURLOPT_LOW_SPEED_TIME, max(1, idleTimeout.milliseconds / 1000))
        }
        _ = rudder_curl_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1)
        _ = rudder_curl_setopt_long(easy, CURLOPT_TCP_KEEPIDLE, 30)
        _ = rudder_curl_setopt_long(easy, CURLOPT_TCP_KEEPINTVL, 10)
        do {
            try tls.apply(to: easy)
        } catch {
            idleSessions.withLock { if $0.count < Self.maximumIdleSessions { $0.append(session) } }
            let message =
                "libcurl \(String(cString: curl_version())) refused \(error.option): "
                + String(cString: curl_easy_strerror(error.code))
            return .failure(KubernetesError.transport(code: Int(error.code.rawValue), message: message, url: url))
        }
        if let proxy = configuration.proxyURL { _ = rudder_curl_setopt_string(easy, CURLOPT_PROXY, proxy) }
        if let connectTo = tls.connectTo {
            connectToList = curl_slist_append(nil, connectTo)
            _ = rudder_curl_setopt_slist(easy, CURLOPT_CONNECT_TO, connectToList)
        }

        let sink = ResponseSink(easy: easy, mode: mode)
        let context = Unmanaged.passRetained(sink)
        defer { context.release() }
        _ = rudder_curl_setopt_write_function(easy) { data, size, count, context in
            guard let context else { return 0 }
            let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
            let length = size * count
            return sink.receive(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
        }
        _ = rudder_curl_setopt_pointer(easy, CURLOPT_WRITEDATA, context.toOpaque())

        let started = ContinuousClock.now
        let code = run(session: session, control: control)
        let status = sink.finalStatus()
        logger.trace(
            "request finished",
            metadata: [
                "url": "\(url)", "status": "\(status)", "curl": "\(code.rawValue)",
                "seconds": "\(ContinuousClock.now - started)",
            ])
        if status == 401 { configuration.tokenSource?.invalidate() }

        if control.isCancelled || sink.stopReason == .consumerGone {
            return .failure(CancellationError())
        }
        if sink.stopReason == .tooLarge {
            return .failure(
                KubernetesError.transport(
                    code: Int(CURLE_WRITE_ERROR.rawValue),
                    message: "response larger than \(ResponseSink.maximumSize) bytes, or a line that long", url: url))
        }
        guard code == CURLE_OK else {
            // A broken connection can leave libcurl's state for the handle behind; do not pool it.
            return .failure(
                KubernetesError.transport(code: Int(code.rawValue), message: session.errorMessage(code), url: url))
        }
        sink.finish()
        idleSessions.withLock { sessions in
            if sessions.count < Self.maximumIdleSessions { sessions.append(session) }
        }
        return .success(Response(status: status, body: sink.body))
    }

    /// Drives the session's multi handle until the transfer ends or is cancelled; returns the transfer's result.
    private func run(session: CurlSession, control: TransferControl) -> CURLcode {
        let multi = session.multi
        guard control.attach(multi) else { return CURLE_ABORTED_BY_CALLBACK }
        defer { control.detach() }
        guard curl_multi_add_handle(multi, session.easy) == CURLM_OK else { return CURLE_FAILED_INIT }
        defer { curl_multi_remove_handle(multi, session.easy) }
        var result = CURLE_OK
        while true {
            var running: Int32 = 0
            let performed = curl_multi_perform(multi, &running)
            guard performed == CURLM_OK else { return CURLE_FAILED_INIT }
            if running == 0 {
                var remaining: Int32 = 0
                while let message = curl_multi_info_read(multi, &remaining) {
                    if message.pointee.msg == CURLMSG_DONE { result = rudder_curl_message_result(message) }
                }
                return result
            }
            if control.isCancelled { return CURLE_ABORTED_BY_CALLBACK }
            _ = curl_multi_poll(multi, nil, 0, 1000, nil)
            if control.isCancelled { return CURLE_ABORTED_BY_CALLBACK }
        }
    }
}
