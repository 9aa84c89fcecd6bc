import CIPSet
import Synchronization

/// libipset's process-wide state: its registered set types and its cache of sets.
///
/// libipset keeps both in unlocked globals, and its cache maps a set name to a type and family
/// for the whole process rather than per network namespace. So every call into libipset, from
/// any client, runs under this one lock, and callers drop cache entries they cannot trust.
enum IPSetLibrary {
    /// Whether `ipset_load_types()` has run; it must run once before any command is parsed.
    private static let typesLoaded = Mutex(false)

    /// Runs `body` with libipset to itself.
    static func withLock<Result: Sendable, Failure: Error>(
        _ body: () throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try typesLoaded.withLock { (loaded: inout Bool) throws(Failure) -> Result in
            if !loaded {
                ipset_load_types()
                loaded = true
            }
            return try body()
        }
    }
}
