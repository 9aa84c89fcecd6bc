import Kubernetes
import KubernetesModel
import Synchronization

/// Records an informer's events from the moment it is created, and waits for conditions on them.
final class EventRecorder<R: KubernetesResource>: Sendable {
    private let events = Mutex<[InformerEvent<R>]>([])
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(_ informer: Informer<R>) {
        let stream = informer.events()
        let consumer = Task { [weak self] in
            for await event in stream { self?.events.withLock { $0.append(event) } }
        }
        task.withLock { $0 = consumer }
    }

    deinit {
        stop()
    }

    /// Every event so far.
    var all: [InformerEvent<R>] {
        events.withLock { $0 }
    }

    /// Ends the consumer's task, as an agent shutting down would.
    func stop() {
        task.withLock { $0?.cancel() }
    }

    /// Forgets the events so far.
    func clear() {
        events.withLock { $0.removeAll() }
    }

    /// Waits until `condition` holds for the events so far; throws after `timeout`.
    func wait(
        for what: String, timeout: Duration = .seconds(240), until condition: ([InformerEvent<R>]) -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition(all) {
            guard ContinuousClock.now < deadline else { throw Timeout(what: what, events: all.map(Self.summary)) }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits for the n-th `.synced`.
    func waitForSync(_ count: Int = 1) async throws {
        try await wait(for: "synced × \(count)") { events in events.filter { $0 == .synced }.count >= count }
    }

    /// `added default/a`, `synced`, … for failure messages and comparisons.
    static func summary(_ event: InformerEvent<R>) -> String {
        switch event {
        case .added(let object): "added \(object.key)"
        case .updated(_, let new): "updated \(new.key)"
        case .deleted(let object): "deleted \(object.key)"
        case .synced: "synced"
        case .rejected(let error): "rejected \(error)"
        }
    }

    struct Timeout: Error, CustomStringConvertible {
        var what: String
        var events: [String]
        var description: String { "timed out waiting for \(what); events: \(events)" }
    }
}
