import Synchronization

/// Tells every subscriber that something changed, without saying what: the subscriber re-reads.
///
/// A subscriber that is busy when several changes come sees one signal for all of them (each
/// stream keeps only the newest), so a burst of Node updates costs one re-plan, and nothing waits
/// on a timer to notice a change.
final class ChangeSignal: Sendable {
    private let subscribers = Mutex<[AsyncStream<Void>.Continuation]>([])

    /// A signal with no subscribers.
    init() {}

    /// A stream that yields once after each change (coalesced while unread).
    func changes() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        subscribers.withLock { $0.append(continuation) }
        return stream
    }

    /// Wakes every subscriber.
    func signal() {
        for subscriber in subscribers.withLock({ $0 }) { subscriber.yield() }
    }
}
