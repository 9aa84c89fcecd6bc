extension RudderConfiguration {
    /// The `http` section: where `/healthz` and `/readyz` are served.
    public struct HTTP: Sendable, Equatable, Section {
        /// The address to listen on.
        public var host: String
        /// The port; kube-router serves its health check on 20244, and so does Rudder by default.
        public var port: Int

        /// The section; every argument defaults to what an empty section gives.
        public init(host: String = "0.0.0.0", port: Int = 20244) {
            self.host = host
            self.port = port
        }

        static let key = "http"
        static let keys = ["host", "port"]

        init(reading mapping: YAMLReader.Mapping, over defaults: HTTP, with reader: inout YAMLReader) {
            self = defaults
            host = reader.string("host", in: mapping) ?? host
            port = reader.integer("port", in: mapping, range: 0...65_535) ?? port
        }
    }
}
