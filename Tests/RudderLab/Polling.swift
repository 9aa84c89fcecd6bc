import Dispatch

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
    /// Conditions run commands and read files, so each check runs on a Dispatch thread, not on
    /// the cooperative pool: Swift Testing has only as many of those threads as cores (two here),
    /// and a whole suite of blocked checks would starve every other test of them.
    public static func until(
        _ what: String, timeout: Duration = .seconds(30), every interval: Duration = .milliseconds(50),
        context: () -> String = { "" }, _ condition: () throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        var lastError: String?
        try await withoutActuallyEscaping(condition) { condition in
            // The caller is suspended while its condition runs elsewhere, so nothing it captured
            // is touched from two threads at once. The box lets go of the condition before the
            // function returns: a Dispatch block may outlive its run by a moment.
            let check = ConditionBox(run: condition)
            defer { check.run = nil }
            while ContinuousClock.now < deadline {
                let outcome: Result<Bool, any Error> = await withCheckedContinuation { continuation in
                    DispatchQueue.global().async {
                        continuation.resume(returning: Result { try check.run?() ?? false })
                    }
                }
                switch outcome {
                case .success(true): return
                case .success(false): break
                case .failure(let error): lastError = "\(error)"
                }
                try await Task.sleep(for: interval)
            }
            throw TimedOut(what: what, lastError: lastError, context: context())
        }
    }

    /// Checks an asynchronous `condition` (one that asks an actor, say) every `interval` until it
    /// holds; throws `TimedOut` after `timeout`. It runs on the caller's task, so the condition
    /// must not block a thread (a blocking one belongs in `until`). A name of its own, not an
    /// overload: a multi-statement closure would otherwise pick this one and block the pool.
    public static func untilAsync(
        _ what: String, timeout: Duration = .seconds(30), every interval: Duration = .milliseconds(100),
        context: () -> String = { "" }, _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        var lastError: String?
        while ContinuousClock.now < deadline {
            do {
                if try await condition() { return }
            } catch {
                lastError = "\(error)"
            }
            try await Task.sleep(for: interval)
        }
        throw TimedOut(what: what, lastError: lastError, context: context())
    }

    /// Whether `condition` stays false for all of `duration` ("a session never comes up"):
    /// a negative check, so it takes the whole duration when it passes.
    public static func never(
        _ what: String, for duration: Duration, every interval: Duration = .milliseconds(100),
        _ condition: () async throws -> Bool
    ) async throws -> Bool {
        let deadline = ContinuousClock.now + duration
        while ContinuousClock.now < deadline {
            if try await condition() { return false }
            try await Task.sleep(for: interval)
        }
        return true
    }

    /// A condition carried to a Dispatch thread and back while its caller waits.
    private final class ConditionBox: @unchecked Sendable {
        var run: (() throws -> Bool)?

        init(run: @escaping () throws -> Bool) {
            self.run = run
        }
    }
}
