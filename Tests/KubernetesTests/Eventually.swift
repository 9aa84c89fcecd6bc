/// Polls `condition` until it holds; throws after `timeout`.
func eventually(
    _ what: String, timeout: Duration = .seconds(30), _ condition: () throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while try !condition() {
        guard ContinuousClock.now < deadline else {
            throw EventuallyTimeout(what: what)
        }
        try await Task.sleep(for: .milliseconds(50))
    }
}

/// `eventually` gave up.
struct EventuallyTimeout: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}
