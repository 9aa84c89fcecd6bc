#if canImport(Glibc)
    import Glibc
#endif

/// Keeps the agent's resident memory close to its live heap (glibc's allocator).
///
/// The first sync decodes every Service and EndpointSlice page by page and builds the whole
/// desired table; glibc keeps the freed pages of that peak in its arenas, so the resident size
/// stays at the peak although the live heap is far smaller. `malloc_trim` returns them. glibc
/// also gives each thread that allocates an arena of its own (up to eight per core), and what the
/// decoding threads free there is not reused by the actor threads that hold the long-lived
/// tables: with 10,000 Services one arena halved the growth in a probe (171 → 77 MiB, the
/// in-memory agent benchmark, docs/benchmarks.md). These functions are glibc's, not POSIX's (and
/// not in Swift's Glibc module), so they are looked up at run time; where missing, nothing happens.
public enum FreeMemory {
    private typealias Trim = @convention(c) (Int) -> Int32
    private typealias Option = @convention(c) (Int32, Int32) -> Int32
    /// glibc's `M_ARENA_MAX` (malloc.h).
    private static let arenaMax: Int32 = -8

    private static func symbol<T>(_ name: String, as type: T.Type) -> T? {
        #if canImport(Glibc)
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
            return unsafeBitCast(symbol, to: type)
        #else
            return nil
        #endif
    }

    private static let trim = symbol("malloc_trim", as: Trim.self)

    /// Returns free heap pages to the kernel.
    static func release() {
        _ = trim?(0)
    }

    /// Makes every thread share glibc's main arena. Call first thing in `main`, before threads
    /// start; a `MALLOC_ARENA_MAX` or `GLIBC_TUNABLES` arena setting in the environment wins.
    public static func useOneArena(environment: [String: String]) {
        guard environment["MALLOC_ARENA_MAX"] == nil, environment["GLIBC_TUNABLES"]?.contains("arena_max") != true
        else { return }
        _ = symbol("mallopt", as: Option.self)?(arenaMax, 1)
    }
}
