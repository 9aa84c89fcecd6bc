/// Waiting in tests for something another process or task brings about.
public enum Polling {
    /// A wait that ran out: what was awaited, the last error the condition threw, and any context.
    public struct TimedOut: Error, CustomStringConvertible, Sendable {
        /// What was awaited, as the test named it.
        public var what: String
        /// The condition's last error, if it threw.
        public var lastError: String?
        /// What the test adds to explain the state (logs, kernel tables).
        public var context: String

        public var description: String {
            "timed out waiting until \(what)" + (lastError.map { " (last error: \($0))" } ?? "") + context
        }
    }

    /// Checks `condition` every `interval` until it holds; throws `TimedOut` after `timeout`.
    ///
    /// A condition that throws counts as not yet holding: the server it asks may still be starting.
    public static func until(
        _ what: String, timeout: Duration, every interval: Duration = .milliseconds(50),
        context: () -> String = { "" }, _ condition: () throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        var lastError: String?
        while ContinuousClock.now < deadline {
            do {
                if try condition() { return }
            } catch {
                lastError = "\(error)"
            }
            try await Task.sleep(for: interval)
        }
        throw TimedOut(what: what, lastError: lastError, context: context())
    }
}
