import Foundation

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
    /// Conditions run commands and read files, so the whole wait runs on a thread of its own,
    /// neither on the cooperative pool (Swift Testing has as many of those threads as cores, two
    /// here) nor on Dispatch's global queue: a command's exit is reported through Dispatch, so
    /// many checks blocked there at once can hold up the very reports they wait for.
    public static func until(
        _ what: String, timeout: Duration = .seconds(30), every interval: Duration = .milliseconds(50),
        context: () -> String = { "" }, _ condition: () throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        let seconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        let (held, lastError) = await withoutActuallyEscaping(condition) { condition in
            // The caller is suspended until the thread is done with the condition, so nothing it
            // captured is touched from two threads at once, and the condition does not escape.
            let check = ConditionBox(run: condition)
            return await withCheckedContinuation { (continuation: CheckedContinuation<(Bool, String?), Never>) in
                let thread = Thread {
                    var lastError: String?
                    while ContinuousClock.now < deadline {
                        do {
                            if try check.run?() ?? false {
                                check.run = nil
                                return continuation.resume(returning: (true, nil))
                            }
                        } catch {
                            lastError = "\(error)"
                        }
                        Thread.sleep(forTimeInterval: seconds)
                    }
                    check.run = nil
                    continuation.resume(returning: (false, lastError))
                }
                thread.name = "rudder-polling"
                thread.start()
            }
        }
        try Task.checkCancellation()
        if held { return }
        throw TimedOut(what: what, lastError: lastError, context: context())
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
