import CNetlink
import NIOCore
import NIOPosix
import RudderLab

#if canImport(Glibc)
    import Glibc
#endif

/// A one-thread NIO event loop whose thread has entered a network namespace.
///
/// NIO creates a socket on the thread that calls `bind` or `connect`, and the speaker makes every
/// call on its own event loop: so a speaker (or a raw test peer) on this loop opens all its
/// sockets in the namespace, and a socket stays in the namespace it was made in. Only this loop's
/// own thread changes namespace (setns affects the calling thread alone); the test process and
/// the cooperative pool stay where they are.
final class NamespacedEventLoop: Sendable {
    /// The group of one thread.
    let group: MultiThreadedEventLoopGroup
    /// Its loop.
    var loop: any EventLoop { group.next() }

    private init(group: MultiThreadedEventLoopGroup) {
        self.group = group
    }

    /// A loop in `namespace`.
    static func make(in namespace: NetworkNamespaceFixture) async throws -> NamespacedEventLoop {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let path = "/run/netns/\(namespace.name)"
        do {
            try await group.next().submit {
                let fd = open(path, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else { throw NamespaceEntryError(path: path, errno: errno) }
                defer { close(fd) }
                guard rudder_setns_net(fd) == 0 else { throw NamespaceEntryError(path: path, errno: errno) }
            }.get()
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        return NamespacedEventLoop(group: group)
    }

    /// Stops the thread.
    func shutdown() async {
        try? await group.shutdownGracefully()
    }
}

/// setns(2) into a test namespace failed.
struct NamespaceEntryError: Error, CustomStringConvertible {
    var path: String
    var errno: Int32

    var description: String { "cannot enter network namespace \(path): \(String(cString: strerror(errno)))" }
}
