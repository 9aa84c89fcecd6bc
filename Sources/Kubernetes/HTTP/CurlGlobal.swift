import CCurl
import KubernetesModel

/// libcurl's process-wide initialisation, done once before the first handle is created.
enum CurlGlobal {
    /// Touching this runs `curl_global_init` exactly once (Swift initialises globals once, thread-safely).
    static let initialized: Bool = curl_global_init(rudder_curl_global_all()) == CURLE_OK
}
