import CNetlink

#if canImport(Glibc)
    import Glibc
#endif

/// A network namespace in which netlink sockets are opened.
///
/// A netlink socket stays bound to the namespace it was created in, so only socket creation
/// needs to happen inside the namespace; it runs on a short-lived thread so that no other
/// thread, and no task of the cooperative pool, ever changes namespace.
public enum NetworkNamespace: Hashable, Sendable, CustomStringConvertible {
    /// The namespace of the calling process.
    case current
    /// A namespace created by `ip netns add NAME` (a file under /run/netns).
    case named(String)
    /// A namespace file such as /proc/PID/ns/net.
    case path(String)

    /// The namespace `ip netns` calls `name`, or this process's own when there is no name.
    public init(name: String?) {
        self = name.map(NetworkNamespace.named) ?? .current
    }

    /// The namespace file to enter, or nil for the current one.
    public var filePath: String? {
        switch self {
        case .current: nil
        case .named(let name): "/run/netns/\(name)"
        case .path(let path): path
        }
    }

    public var description: String {
        switch self {
        case .current: "current"
        case .named(let name): name
        case .path(let path): path
        }
    }

    /// Moves the calling thread into this namespace, for good: for a thread that exists to work
    /// there (an event loop whose sockets must open in the namespace). Nothing happens for `.current`.
    public func enterOnThisThread() throws {
        guard let path = filePath else { return }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw NetlinkError(operation: "open network namespace \(path)", errno: Glibc.errno) }
        defer { close(fd) }
        guard rudder_setns_net(fd) == 0 else {
            throw NetlinkError(operation: "enter network namespace \(path)", errno: Glibc.errno)
        }
    }

    /// Runs `body` on a fresh thread that has entered this namespace, and waits for it.
    public func run<T>(_ body: () throws -> T) throws -> T {
        guard let path = filePath else { return try body() }
        var outcome: Result<T, any Error>?
        try withoutActuallyEscaping(body) { escapable in
            let job = NamespaceJob {
                let fd = open(path, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else {
                    outcome = .failure(NetlinkError(operation: "open network namespace \(path)", errno: Glibc.errno))
                    return
                }
                defer { close(fd) }
                if rudder_setns_net(fd) != 0 {
                    outcome = .failure(NetlinkError(operation: "enter network namespace \(path)", errno: Glibc.errno))
                    return
                }
                outcome = Result { try escapable() }
            }
            var thread = pthread_t()
            let context = Unmanaged.passRetained(job).toOpaque()
            let created = pthread_create(
                &thread, nil,
                { raw in
                    Unmanaged<NamespaceJob>.fromOpaque(raw!).takeRetainedValue().work()
                    return nil
                }, context)
            guard created == 0 else {
                Unmanaged<NamespaceJob>.fromOpaque(context).release()
                throw NetlinkError(operation: "start thread for namespace \(path)", errno: created)
            }
            pthread_join(thread, nil)
        }
        return try outcome!.get()
    }
}

/// The work handed to a namespace thread; the caller joins the thread before returning.
private final class NamespaceJob: @unchecked Sendable {
    let work: () -> Void
    init(_ work: @escaping () -> Void) { self.work = work }
}
