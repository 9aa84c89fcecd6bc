import CCurl
import KubernetesModel
import Synchronization

/// Cancels one transfer from any thread: sets a flag and wakes the transfer's thread out of `curl_multi_poll`.
///
/// The multi handle is registered only while the transfer runs, and the wake-up happens under the same lock that
/// unregisters it, so a late cancellation never touches a handle that is already back in the pool.
final class TransferControl: Sendable {
    private struct State {
        var cancelled = false
        var multi: MultiHandle?
    }

    // The pointer itself is only an address here; libcurl documents curl_multi_wakeup as callable from any thread.
    private struct MultiHandle: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer
    }

    private let state = Mutex(State())

    /// Whether the transfer should stop.
    var isCancelled: Bool {
        state.withLock { $0.cancelled }
    }

    /// Asks the transfer to stop as soon as possible.
    func cancel() {
        state.withLock { state in
            state.cancelled = true
            if let multi = state.multi { _ = curl_multi_wakeup(multi.pointer) }
        }
    }

    /// Registers the running transfer's multi handle; false if cancelled already (then do not start).
    func attach(_ multi: UnsafeMutableRawPointer) -> Bool {
        let handle = MultiHandle(pointer: multi)
        return state.withLock { state in
            guard !state.cancelled else { return false }
            state.multi = handle
            return true
        }
    }

    /// Unregisters the multi handle before it is reused or freed.
    func detach() {
        state.withLock { $0.multi = nil }
    }
}
