import Dispatch

/// Runs blocking netlink calls on a dedicated serial queue, off Swift's cooperative pool.
public final class NetlinkExecutor: Sendable {
    private let queue: DispatchQueue

    /// An executor with its own serial queue.
    public init(label: String) {
        queue = DispatchQueue(label: label)
    }

    /// Runs `body` on the executor's queue and returns its result.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}
