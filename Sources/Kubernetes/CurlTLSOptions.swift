import CCurl

/// The TLS and addressing options of every request, worked out once from a `ClientConfiguration`.
struct CurlTLSOptions: Sendable {
    var certificateAuthority: PEMSource?
    var clientCertificate: PEMSource?
    var clientKey: PEMSource?
    var verify: Bool
    /// `CURLOPT_CONNECT_TO`: with a `tls-server-name`, the URL carries that name (for SNI and verification) and
    /// libcurl connects to the real host.
    var connectTo: String?

    /// Sets the options on `easy`.
    func apply(to easy: UnsafeMutableRawPointer) {
        switch certificateAuthority {
        case .data(let pem):
            _ = pem.withUnsafeBytes { rudder_curl_setopt_blob(easy, CURLOPT_CAINFO_BLOB, $0.baseAddress, $0.count) }
            // Trust only the configured CA, as client-go does; the system's CA directory stays out.
            _ = rudder_curl_setopt_string(easy, CURLOPT_CAPATH, nil)
        case .file(let path):
            _ = rudder_curl_setopt_string(easy, CURLOPT_CAINFO, path)
            _ = rudder_curl_setopt_string(easy, CURLOPT_CAPATH, nil)
        case nil:
            break
        }
        switch clientCertificate {
        case .data(let pem):
            _ = pem.withUnsafeBytes { rudder_curl_setopt_blob(easy, CURLOPT_SSLCERT_BLOB, $0.baseAddress, $0.count) }
            _ = rudder_curl_setopt_string(easy, CURLOPT_SSLCERTTYPE, "PEM")
        case .file(let path):
            _ = rudder_curl_setopt_string(easy, CURLOPT_SSLCERT, path)
            _ = rudder_curl_setopt_string(easy, CURLOPT_SSLCERTTYPE, "PEM")
        case nil:
            break
        }
        switch clientKey {
        case .data(let pem):
            _ = pem.withUnsafeBytes { rudder_curl_setopt_blob(easy, CURLOPT_SSLKEY_BLOB, $0.baseAddress, $0.count) }
            _ = rudder_curl_setopt_string(easy, CURLOPT_SSLKEYTYPE, "PEM")
        case .file(let path):
            _ = rudder_curl_setopt_string(easy, CURLOPT_SSLKEY, path)
            _ = rudder_curl_setopt_string(easy, CURLOPT_SSLKEYTYPE, "PEM")
        case nil:
            break
        }
        if !verify {
            _ = rudder_curl_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 0)
            _ = rudder_curl_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 0)
        }
    }
}
