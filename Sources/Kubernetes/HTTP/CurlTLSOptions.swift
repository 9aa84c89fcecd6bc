import CCurl
import KubernetesModel

/// The TLS and addressing options of every request, worked out once from a `ClientConfiguration`.
struct CurlTLSOptions: Sendable {
    var certificateAuthority: PEMSource?
    var clientCertificate: PEMSource?
    var clientKey: PEMSource?
    var verify: Bool
    /// `CURLOPT_CONNECT_TO`: with a `tls-server-name`, the URL carries that name (for SNI and verification) and
    /// libcurl connects to the real host.
    var connectTo: String?

    /// An option libcurl refused (an older libcurl without `*_BLOB` options, or a TLS backend without them).
    struct Refusal: Error {
        var option: String
        var code: CURLcode
    }

    /// Sets the options on `easy`; a refused option is an error, never a silent fallback to weaker settings.
    func apply(to easy: UnsafeMutableRawPointer) throws(Refusal) {
        func check(_ code: CURLcode, _ option: String) throws(Refusal) {
            guard code == CURLE_OK else { throw Refusal(option: option, code: code) }
        }
        func blob(_ option: CURLoption, _ pem: [UInt8]) -> CURLcode {
            pem.withUnsafeBytes { rudder_curl_setopt_blob(easy, option, $0.baseAddress, $0.count) }
        }
        switch certificateAuthority {
        case .data(let pem):
            try check(blob(CURLOPT_CAINFO_BLOB, pem), "CURLOPT_CAINFO_BLOB")
            // Trust only the configured CA, as client-go does; the system's CA directory stays out.
            try check(rudder_curl_setopt_string(easy, CURLOPT_CAPATH, nil), "CURLOPT_CAPATH")
        case .file(let path):
            try check(rudder_curl_setopt_string(easy, CURLOPT_CAINFO, path), "CURLOPT_CAINFO")
            try check(rudder_curl_setopt_string(easy, CURLOPT_CAPATH, nil), "CURLOPT_CAPATH")
        case nil:
            break
        }
        switch clientCertificate {
        case .data(let pem):
            try check(blob(CURLOPT_SSLCERT_BLOB, pem), "CURLOPT_SSLCERT_BLOB")
            try check(rudder_curl_setopt_string(easy, CURLOPT_SSLCERTTYPE, "PEM"), "CURLOPT_SSLCERTTYPE")
        case .file(let path):
            try check(rudder_curl_setopt_string(easy, CURLOPT_SSLCERT, path), "CURLOPT_SSLCERT")
            try check(rudder_curl_setopt_string(easy, CURLOPT_SSLCERTTYPE, "PEM"), "CURLOPT_SSLCERTTYPE")
        case nil:
            break
        }
        switch clientKey {
        case .data(let pem):
            try check(blob(CURLOPT_SSLKEY_BLOB, pem), "CURLOPT_SSLKEY_BLOB")
            try check(rudder_curl_setopt_string(easy, CURLOPT_SSLKEYTYPE, "PEM"), "CURLOPT_SSLKEYTYPE")
        case .file(let path):
            try check(rudder_curl_setopt_string(easy, CURLOPT_SSLKEY, path), "CURLOPT_SSLKEY")
            try check(rudder_curl_setopt_string(easy, CURLOPT_SSLKEYTYPE, "PEM"), "CURLOPT_SSLKEYTYPE")
        case nil:
            break
        }
        if !verify {
            try check(rudder_curl_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 0), "CURLOPT_SSL_VERIFYPEER")
            try check(rudder_curl_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 0), "CURLOPT_SSL_VERIFYHOST")
        }
    }
}
