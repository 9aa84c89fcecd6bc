import CoreMetrics
import PodRouting

/// The pod routes' series: what the kernel accepted and refused, drift repaired, conflicts held.
struct PodRouteMetrics: Sendable {
    private let operations: Counter
    private let failures: Counter
    private let repairs: Counter
    private let conflicts: Gauge

    /// Series made by `factory` (no series when nil).
    init(factory: (any MetricsFactory)?) {
        let factory = factory ?? NOOPMetricsHandler.instance
        operations = Counter(label: "rudder_pod_route_operations_total", factory: factory)
        failures = Counter(label: "rudder_pod_route_operation_failures_total", factory: factory)
        repairs = Counter(label: "rudder_pod_route_repairs_total", factory: factory)
        conflicts = Gauge(label: "rudder_pod_route_conflicts", factory: factory)
    }

    /// Records one pass of the route reconciler.
    func record(_ report: RouteReconciler.Report, pass: RouteReconciler.Pass) {
        operations.increment(by: report.applied.count)
        failures.increment(by: report.failures.count)
        switch pass {
        case .repair where !report.applied.isEmpty: repairs.increment(by: report.applied.count)
        // Only a full sync sees every conflict; a change sees those of its own prefixes.
        case .sync: conflicts.record(report.conflicts.count)
        case .repair, .change: break
        }
    }
}
