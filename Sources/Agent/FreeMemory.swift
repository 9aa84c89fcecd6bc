#if canImport(Glibc)
    import Glibc
#endif

/// Hands the heap's free pages back to the kernel after a burst of allocation.
///
/// The first sync decodes every Service and EndpointSlice page by page and builds the whole
/// desired table; glibc keeps the freed pages of that peak in its arenas, so the resident size
/// stays at the peak although the live heap is far smaller. `malloc_trim` returns them. It is
/// glibc's, not POSIX's (and not in Swift's Glibc module), so it is looked up at run time; where
/// it is missing this does nothing.
enum FreeMemory {
    private typealias Trim = @convention(c) (Int) -> Int32

    private static let trim: Trim? = {
        #if canImport(Glibc)
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
            return unsafeBitCast(symbol, to: Trim.self)
        #else
            return nil
        #endif
    }()

    /// Returns free heap pages to the kernel.
    static func release() {
        _ = trim?(0)
    }
}
