import Agent
import ArgumentParser
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// How a listing command prints: columns for people, or JSON for scripts.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// Writes one line to standard error.
func printError(_ text: String) {
    let line = Array((text + "\n").utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

/// Writes one line to standard output at once: in `--watch` modes the report must not sit in a
/// buffer while the process runs on.
func printLine(_ text: String) {
    let line = Array((text + "\n").utf8)
    _ = line.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
}

/// Sends logs to standard error at `level`, one event per line (text, or JSON objects), and
/// returns the CLI's logger.
func bootstrapLogging(level: Logger.Level, format: RudderConfiguration.Log.Format = .text) -> Logger {
    LoggingSystem.bootstrap { label in
        switch format {
        case .json:
            return JSONLogHandler(label: label, level: level)
        case .text:
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
    return Logger(label: "rudder")
}
