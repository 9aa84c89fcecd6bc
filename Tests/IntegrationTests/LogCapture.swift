import Logging
import Synchronization

/// A logger whose lines a test can read back: one `level label: message key=value...` line per event.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    /// A logger writing into this capture, at debug level.
    var logger: Logger {
        Logger(label: "rudder") { [self] label in
            Handler(capture: self)
        }
    }

    /// Everything logged so far.
    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    fileprivate func append(_ line: String) {
        lines.withLock { $0.append(line) }
    }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            capture.append("\(event.level) \(event.message) \(fields)")
        }
    }
}
