extension RudderConfiguration {
    /// The `kubernetes` section: how the agent reaches the API server and which Services it proxies.
    public struct Kubernetes: Sendable, Equatable, Section {
        /// A kubeconfig file; nil means the in-cluster configuration of a pod's service account.
        public var kubeconfig: String?
        /// The kubeconfig context; nil means its current-context.
        public var context: String?
        /// Whether a kubeconfig may switch TLS verification off; refused unless set.
        public var allowInsecure: Bool
        /// The value of `service.kubernetes.io/service-proxy-name` this agent serves; nil serves only
        /// Services without the label, as kube-proxy and kube-router do.
        public var serviceProxyName: String?

        /// The section; every argument defaults to what an empty section gives.
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
        static let keys = ["kubeconfig", "context", "allowInsecure", "serviceProxyName"]

        init(reading mapping: YAMLReader.Mapping, over defaults: Kubernetes, with reader: inout YAMLReader) {
            self = defaults
            kubeconfig = reader.string("kubeconfig", in: mapping) ?? kubeconfig
            context = reader.string("context", in: mapping) ?? context
            allowInsecure = reader.bool("allowInsecure", in: mapping) ?? allowInsecure
            serviceProxyName = reader.string("serviceProxyName", in: mapping) ?? serviceProxyName
        }
    }
}
