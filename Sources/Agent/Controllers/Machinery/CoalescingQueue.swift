/// Work per key, coalesced: a key added again before it is taken keeps only its newest value, as
/// client-go's workqueue keeps a key once however often it is added. Pure value; the owner (an
/// actor) decides when to drain it.
struct CoalescingQueue<Key: Hashable & Comparable & Sendable, Value: Sendable>: Sendable {
    private var pending: [Key: Value] = [:]

    /// An empty queue.
    init() {}

    /// Whether nothing is waiting.
    var isEmpty: Bool { pending.isEmpty }

    /// How many keys are waiting.
    var count: Int { pending.count }

    /// Adds work for `key`; a value already waiting for it is replaced.
    mutating func add(_ key: Key, _ value: Value) {
        pending[key] = value
    }

    /// Takes everything waiting, in key order.
    mutating func drain() -> [(key: Key, value: Value)] {
        let batch = pending.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }
        pending = [:]
        return batch
    }

    /// Puts back work that failed, unless newer work for its key arrived meanwhile.
    mutating func retry(_ key: Key, _ value: Value) {
        if pending[key] == nil { pending[key] = value }
    }
}
