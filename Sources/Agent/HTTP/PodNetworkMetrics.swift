import CoreMetrics
import PodNetwork

/// The pod network's series: what its passes changed, what failed, and what drift was repaired.
struct PodNetworkMetrics: Sendable {
    private let linkOperations: Counter
    private let failures: Counter
    private let configurationWrites: Counter
    private let egressWrites: Counter
    private let repairs: Counter

    /// Series made by `factory` (no series when nil).
    init(factory: (any MetricsFactory)?) {
        let factory = factory ?? NOOPMetricsHandler.instance
        linkOperations = Counter(label: "rudder_pod_network_link_operations_total", factory: factory)
        failures = Counter(label: "rudder_pod_network_failures_total", factory: factory)
        configurationWrites = Counter(label: "rudder_cni_config_writes_total", factory: factory)
        egressWrites = Counter(label: "rudder_pod_egress_writes_total", factory: factory)
        repairs = Counter(label: "rudder_pod_network_repairs_total", factory: factory)
    }

    /// Records one pass.
    func record(_ report: PodNetworkReconciler.Report) {
        linkOperations.increment(by: report.applied.count)
        failures.increment(by: report.failures.count)
        if report.configurationWritten { configurationWrites.increment() }
        egressWrites.increment(by: report.egressWrites)
    }

    /// Records a pass that kernel events started and that changed something.
    func recordRepair(_ report: PodNetworkReconciler.Report) {
        record(report)
        repairs.increment()
    }
}
