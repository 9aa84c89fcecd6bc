import CoreMetrics
import Logging
import ServiceProxy

/// Feeds Service changes to the service proxy one Service at a time, and keeps its safety nets running.
///
/// Changes are coalesced per Service: a burst of events for one Service while the kernel is busy
/// becomes one update with the latest state. Before the first full sync nothing reaches the
/// kernel; the first sync is one `replaceAll`, which adopts what an earlier Rudder left and
/// writes nothing when it is already right.
public actor ServiceProxyController {
    /// The component name in `/readyz`.
    public static let component = "service-proxy"

    private let reconciler: ServiceProxyReconciler
    private let health: HealthState
    private let logger: Logger
    private let resyncInterval: Duration
    private var pending = CoalescingQueue<ServiceName, ProxiedService?>()
    private var synced = false
    private let wake: AsyncStream<Void>.Continuation
    private let wakes: AsyncStream<Void>
    private let metrics: ServiceSyncMetrics

    /// A controller over `reconciler`; it registers itself in `health`, and its series in `metrics`.
    public init(
        reconciler: ServiceProxyReconciler, health: HealthState, resyncInterval: Duration,
        metrics: (any MetricsFactory)? = nil, logger: Logger
    ) {
        self.metrics = ServiceSyncMetrics(factory: metrics)
        self.reconciler = reconciler
        self.health = health
        self.resyncInterval = resyncInterval
        self.logger = logger
        (wakes, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        health.register(Self.component)
    }

    /// Applies the whole desired set once every source has listed; the agent is ready after it.
    ///
    /// Services in `frozen` could not be translated: they keep what the kernel has for them.
    public func initialSync(_ services: [ProxiedService], frozen: Set<ServiceName> = []) async throws {
        _ = pending.drain()
        // Only the summary outlives the sync: the report lists every operation (110,000 at 10,000
        // Services), and the heap is trimmed below before the agent says it is ready.
        let (rejected, summary) = try await { () async throws -> ([ServiceName: [String]], String) in
            let started = ContinuousClock.now
            let report = try await reconciler.replaceAll(services, frozen: frozen)
            metrics.record(report, full: true, took: .now - started)
            return (report.rejected, "\(report)")
        }()
        for (name, problems) in rejected {
            logger.error("service rejected", metadata: ["service": "\(name)", "problems": "\(problems)"])
        }
        synced = true
        FreeMemory.release()
        health.markReady(Self.component)
        logger.info("services applied", metadata: ["services": "\(services.count)", "report": "\(summary)"])
    }

    /// Records that one Service changed (nil: it is gone); applied by `run` soon after.
    public func changed(_ name: ServiceName, to service: ProxiedService?) {
        pending.add(name, service)
        if synced { wake.yield() }
    }

    /// Applies changes as they come, collects drained endpoints every second and resyncs every
    /// `resyncInterval`, until cancelled.
    public func run() async {
        let ticker = Task { [wake] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                wake.yield()
            }
        }
        defer { ticker.cancel() }
        var lastResync = ContinuousClock.now
        for await _ in wakes {
            guard synced else { continue }
            await applyPending()
            do {
                try await reconciler.collectDrained()
                if ContinuousClock.now - lastResync >= resyncInterval {
                    lastResync = .now
                    let report = try await reconciler.resync()
                    metrics.record(report, full: true, took: .now - lastResync)
                    FreeMemory.release()
                }
            } catch {
                metrics.recordError()
                logger.error("service proxy sync failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Applies every pending change; a change the kernel refused stays pending for the next round.
    private func applyPending() async {
        for (name, service) in pending.drain() {
            do {
                let started = ContinuousClock.now
                let report: ServiceProxyReconciler.Report
                if let service {
                    report = try await reconciler.update(service)
                } else {
                    report = try await reconciler.remove(name)
                }
                metrics.record(report, full: false, took: .now - started)
                for (rejected, problems) in report.rejected {
                    logger.error("service rejected", metadata: ["service": "\(rejected)", "problems": "\(problems)"])
                }
                logger.debug("service applied", metadata: ["service": "\(name)", "report": "\(report)"])
            } catch {
                metrics.recordError()
                logger.error("service update failed", metadata: ["service": "\(name)", "error": "\(error)"])
                // A newer change that arrived meanwhile wins over the one that failed.
                pending.retry(name, service)
            }
        }
    }
}
