import NIOCore
import ServiceLifecycle

extension Channel {
    /// Waits until the channel closes, closing it when the task is cancelled or the service
    /// lifecycle starts a graceful shutdown: the life of a listening socket in a service.
    func serveUntilShutdown() async throws {
        try await withGracefulShutdownHandler {
            try await withTaskCancellationHandler {
                try await closeFuture.get()
            } onCancel: {
                self.close(promise: nil)
            }
        } onGracefulShutdown: {
            self.close(promise: nil)
        }
    }
}
