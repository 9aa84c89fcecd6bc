extension RudderConfiguration {
    /// The `logging` section: how log lines look (the level is the top-level `logLevel`).
    public struct Log: Sendable, Equatable, Section {
        /// The shape of a log line.
        public enum Format: String, Sendable, Equatable, CaseIterable {
            /// swift-log's text line: time, level, logger, metadata, message.
            case text
            /// One JSON object per line (`JSONLogHandler`).
            case json
        }

        /// The shape of each line.
        public var format: Format

        /// The section; every argument defaults to what an empty section gives.
        public init(format: Format = .text) {
            self.format = format
        }

        static let key = "logging"
        static let keys = ["format"]

        init(reading mapping: YAMLReader.Mapping, over defaults: Log, with reader: inout YAMLReader) {
            self = defaults
            if let text = reader.choice("format", in: mapping, from: Format.allCases.map(\.rawValue)) {
                format = Format(rawValue: text) ?? format
            }
        }
    }
}
