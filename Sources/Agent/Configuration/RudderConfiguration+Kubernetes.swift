import Foundation

extension RudderConfiguration {
    /// The `kubernetes` section: how the agent reaches the API server and which Services it proxies.
    public struct Kubernetes: Sendable, Equatable, Section {
        /// A kubeconfig file; nil means the in-cluster configuration of a pod's service account.
        public var kubeconfig: String?
        /// The API server's own address, in place of the one the credentials name: on a node
        /// without kube-proxy, the in-cluster address is a ClusterIP only this agent programs.
        public var apiServer: URL? = nil
        /// The kubeconfig context; nil means its current-context.
        public var context: String?
        /// Whether a kubeconfig may switch TLS verification off; refused unless set.
        public var allowInsecure: Bool
        /// The value of `service.kubernetes.io/service-proxy-name` this agent serves; nil serves only
        /// Services without the label, as kube-proxy and kube-router do.
        public var serviceProxyName: String?

        /// The section; every argument defaults to what an empty section gives, and `apiServer`
        /// starts unset.
        public init(
            kubeconfig: String? = nil, context: String? = nil, allowInsecure: Bool = false,
            serviceProxyName: String? = nil
        ) {
            self.kubeconfig = kubeconfig
            self.context = context
            self.allowInsecure = allowInsecure
            self.serviceProxyName = serviceProxyName
        }

        static let key = "kubernetes"
        static let keys = ["kubeconfig", "apiServer", "context", "allowInsecure", "serviceProxyName"]

        init(reading mapping: YAMLReader.Mapping, over defaults: Kubernetes, with reader: inout YAMLReader) {
            self = defaults
            kubeconfig = reader.string("kubeconfig", in: mapping) ?? kubeconfig
            context = reader.string("context", in: mapping) ?? context
            allowInsecure = reader.bool("allowInsecure", in: mapping) ?? allowInsecure
            serviceProxyName = reader.string("serviceProxyName", in: mapping) ?? serviceProxyName
            if let text = reader.string("apiServer", in: mapping) {
                if let url = Self.apiServerURL(text, allowInsecure: allowInsecure) {
                    apiServer = url
                } else {
                    reader.report(
                        "kubernetes.apiServer: '\(text)' is not an API server address such as https://10.0.0.1:6443"
                            + (allowInsecure ? "" : " (http:// needs allowInsecure)"),
                        at: mapping["apiServer"])
                }
            }
        }

        /// An `https://HOST[:PORT]` URL with nothing after the port (`http://` only when insecure
        /// connections are allowed).
        static func apiServerURL(_ text: String, allowInsecure: Bool) -> URL? {
            guard let components = URLComponents(string: text), let host = components.host, !host.isEmpty,
                components.scheme == "https" || (allowInsecure && components.scheme == "http"),
                components.path.isEmpty || components.path == "/", components.query == nil,
                components.user == nil
            else { return nil }
            return components.url
        }
    }
}
