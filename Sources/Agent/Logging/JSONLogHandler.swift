import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// Writes each log event as one JSON object on one line (`logging.format: json`), for log
/// shippers that parse lines: `time` (RFC 3339, UTC, milliseconds), `level`, `logger`,
/// `message`, `source`, `error` when the event carries one, then the metadata, flattened. A
/// metadata key that names one of those fields gets a trailing `_`, so no field is lost.
public struct JSONLogHandler: LogHandler {
    /// The lowest level written.
    public var logLevel: Logger.Level
    /// The logger's own metadata, under each event's.
    public var metadata: Logger.Metadata = [:]
    /// Adds task-local metadata to each event.
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let sink: @Sendable (String) -> Void

    /// A handler for the logger `label` at `level`, writing lines to `sink` (standard error by default).
    public init(
        label: String, level: Logger.Level = .info,
        sink: @escaping @Sendable (String) -> Void = JSONLogHandler.standardError
    ) {
        self.label = label
        self.logLevel = level
        self.sink = sink
    }

    /// Writes one line to standard error in a single `write`, so lines from threads never interleave.
    public static let standardError: @Sendable (String) -> Void = { line in
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }

    /// One metadata value of the logger.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes the event as one JSON line.
    public func log(event: LogEvent) {
        var fields: [(String, String)] = [
            ("time", Self.quoted(Self.now())), ("level", Self.quoted(event.level.rawValue)),
            ("logger", Self.quoted(label)), ("message", Self.quoted(event.message.description)),
            ("source", Self.quoted(event.source)),
        ]
        if let error = event.error { fields.append(("error", Self.quoted("\(error)"))) }
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        let taken = Set(fields.map(\.0))
        for key in merged.keys.sorted() {
            fields.append((taken.contains(key) ? key + "_" : key, Self.json(merged[key]!)))
        }
        sink("{" + fields.map { Self.quoted($0.0) + ":" + $0.1 }.joined(separator: ",") + "}")
    }

    private static func json(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): quoted(text)
        case .stringConvertible(let convertible): quoted(convertible.description)
        case .array(let values): "[" + values.map(json).joined(separator: ",") + "]"
        case .dictionary(let values):
            "{" + values.keys.sorted().map { quoted($0) + ":" + json(values[$0]!) }.joined(separator: ",") + "}"
        }
    }

    /// A JSON string literal (RFC 8259 §7): quotes, backslashes and control characters escaped.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// Now as `2026-12-07T18:00:00.123Z`, from the clock without Foundation's formatters.
    private static func now() -> String {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        var seconds = time.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let millis = Int(time.tv_nsec / 1_000_000)
        let fraction = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):"
            + "\(two(parts.tm_min)):\(two(parts.tm_sec)).\(fraction)Z"
    }
}
