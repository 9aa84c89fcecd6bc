import Foundation
import Netlink
import RudderLab
import ServiceProxy

#if canImport(Glibc)
    import Glibc
#endif

/// A client that connects to the ClusterIP again and again on its own thread until stopped.
final class ConnectionLoop: @unchecked Sendable {
    private let lock = NSLock()
    private var successCount = 0
    private var failureList: [String] = []
    private var running = true
    private let finished = DispatchSemaphore(value: 0)

    init(lab: TrafficLab) {
        let client = lab.client
        Thread.detachNewThread { [self] in
            while lock.withLock({ running }) {
                do {
                    _ = try TCPConnection.greeting(from: client, to: TrafficLab.clusterTCP)
                    lock.withLock { successCount += 1 }
                } catch {
                    lock.withLock { failureList.append("\(error)") }
                }
                usleep(20_000)
            }
            finished.signal()
        }
    }

    var successes: Int { lock.withLock { successCount } }

    /// Waits (up to 30 s) until `count` connections have succeeded.
    func waitForSuccesses(_ count: Int) throws {
        for _ in 0..<300 where successes < count { usleep(100_000) }
        guard successes >= count else {
            throw TrafficError(operation: "only \(successes) connections succeeded: \(lock.withLock { failureList })")
        }
    }

    /// Stops the loop and returns what it saw.
    func stop() -> (successes: Int, failures: [String]) {
        lock.withLock { running = false }
        finished.wait()
        return lock.withLock { (successCount, failureList) }
    }
}
