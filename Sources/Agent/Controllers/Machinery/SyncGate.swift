/// Holds work back until every source (informer) has delivered its first full list: nothing may
/// reach the kernel from a partial view, or it would delete what the unlisted source still wants.
struct SyncGate<Source: Hashable & Sendable>: Sendable {
    /// Where the gate stands after one source listed.
    enum State: Equatable, Sendable {
        /// Some source has not listed yet.
        case waiting
        /// The last source just listed: the moment for the one full sync.
        case opened
        /// Open since an earlier list: changes go through one by one.
        case open
    }

    private var unlisted: Set<Source>
    private var opened = false

    /// A gate waiting for `sources`.
    init(waitingFor sources: Set<Source>) {
        unlisted = sources
    }

    /// Records that `source` listed (again, after a re-list: no effect once open).
    mutating func listed(_ source: Source) {
        unlisted.remove(source)
    }

    /// Where the gate stands after the inputs recorded so far; `.opened` is returned once, to
    /// the first call after the last source listed.
    mutating func advance() -> State {
        if opened { return .open }
        guard unlisted.isEmpty else { return .waiting }
        opened = true
        return .opened
    }
}
