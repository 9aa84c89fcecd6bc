import CoreMetrics
import ServiceProxy

/// The service proxy's series: how long syncs take, and what they wrote and failed to write.
struct ServiceSyncMetrics: Sendable {
    private let fullSync: Timer
    private let serviceSync: Timer
    private let applied: Counter
    private let failed: Counter
    private let errors: Counter
    private let rejected: Counter

    /// Series made by `factory` (no series when nil).
    init(factory: (any MetricsFactory)?) {
        let factory = factory ?? NOOPMetricsHandler.instance
        fullSync = Timer(
            label: "rudder_service_sync_duration_seconds", dimensions: [("scope", "full")], factory: factory)
        serviceSync = Timer(
            label: "rudder_service_sync_duration_seconds", dimensions: [("scope", "service")], factory: factory)
        applied = Counter(label: "rudder_ipvs_operations_total", factory: factory)
        failed = Counter(label: "rudder_ipvs_operation_failures_total", factory: factory)
        errors = Counter(label: "rudder_service_sync_errors_total", factory: factory)
        rejected = Counter(label: "rudder_services_rejected_total", factory: factory)
    }

    /// Records one reconciliation: a full sync (start-up, resync) or one Service's.
    func record(_ report: ServiceProxyReconciler.Report, full: Bool, took duration: Duration) {
        (full ? fullSync : serviceSync).recordNanoseconds(
            duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
        applied.increment(by: report.applied.count)
        failed.increment(by: report.failures.count)
        rejected.increment(by: report.rejected.count)
    }

    /// Counts a sync that threw.
    func recordError() {
        errors.increment()
    }
}
