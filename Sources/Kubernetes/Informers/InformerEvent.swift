import KubernetesModel

/// What an informer tells its consumer: changes to the set of objects, the end of a (re-)list, and objects it had
/// to skip.
public enum InformerEvent<R: KubernetesResource>: Sendable, Equatable {
    /// An object appeared (or was seen for the first time).
    case added(R)
    /// An object changed; `old` is what the informer had before.
    case updated(old: R, new: R)
    /// An object went away; this is its last known state.
    case deleted(R)
    /// The informer's view now matches a complete LIST (sent after the first LIST and after every re-list).
    case synced
    /// One object could not be decoded; the error names it and the offending field. Its last good state, if any,
    /// stays in the cache.
    case rejected(KubernetesError)
}
