import CCurl
import KubernetesModel

/// A libcurl multi handle with one easy handle, reused across requests so that connections and TLS sessions are
/// kept alive between them (the pages of a LIST reuse one connection).
///
/// `@unchecked Sendable`: a session is used by one thread at a time. It is created by, or taken from the pool by, the
/// thread that runs a transfer, and handed back to the pool (behind its mutex) only when the transfer is over.
final class CurlSession: @unchecked Sendable {
    /// The multi handle that drives the transfer, so that `curl_multi_wakeup` can interrupt its wait.
    let multi: UnsafeMutableRawPointer
    /// The easy handle that carries the request's options.
    let easy: UnsafeMutableRawPointer
    /// libcurl's error text for the last transfer (CURLOPT_ERRORBUFFER).
    let errorBuffer: UnsafeMutablePointer<CChar>

    init?() {
        _ = CurlGlobal.initialized
        guard let multi = curl_multi_init() else { return nil }
        guard let easy = curl_easy_init() else {
            curl_multi_cleanup(multi)
            return nil
        }
        self.multi = multi
        self.easy = easy
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        // The easy handle is never left in the multi handle (a transfer removes it when it ends).
        curl_easy_cleanup(easy)
        curl_multi_cleanup(multi)
        errorBuffer.deallocate()
    }

    /// Clears the previous request's options (keeping connections, TLS sessions and the DNS cache).
    func reset() {
        curl_easy_reset(easy)
        errorBuffer[0] = 0
        _ = rudder_curl_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer)
    }

    /// libcurl's message for the last failure: its error buffer, else the generic text of `code`.
    func errorMessage(_ code: CURLcode) -> String {
        let detail = String(cString: errorBuffer)
        return detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
    }
}
