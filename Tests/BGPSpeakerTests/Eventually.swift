/// Waits until an async condition holds, checking every 100 ms; throws after `timeout`. Polling
/// with a generous bound, never a timing assertion.
func eventually(
    _ what: String, timeout: Duration = .seconds(30), _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    var lastError: (any Error)?
    while ContinuousClock.now < deadline {
        do {
            if try await condition() { return }
        } catch {
            lastError = error
        }
        try await Task.sleep(for: .milliseconds(100))
    }
    throw EventuallyTimedOut(what: what, lastError: lastError.map { "\($0)" })
}

/// Checks for `duration` that a condition never holds (for "never Established" checks).
func never(_ what: String, for duration: Duration, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + duration
    while ContinuousClock.now < deadline {
        if try await condition() { return false }
        try await Task.sleep(for: .milliseconds(100))
    }
    return true
}

/// `eventually` ran out of time.
struct EventuallyTimedOut: Error, CustomStringConvertible {
    var what: String
    var lastError: String?

    var description: String { "timed out waiting until \(what)" + (lastError.map { " (last error: \($0))" } ?? "") }
}
