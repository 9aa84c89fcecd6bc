import CoreMetrics
import Prometheus

/// A swift-metrics factory over a swift-prometheus registry that gives every family its help text.
///
/// swift-prometheus's own `PrometheusMetricsFactory` registers swift-metrics series without help,
/// and `promtool check metrics` rejects a family without it. The registry refuses two help texts
/// for one name, so each name's text comes from one table (`help`).
struct DocumentedMetricsFactory: MetricsFactory {
    /// The registry the series live in.
    let registry: PrometheusCollectorRegistry
    /// Histogram buckets for timers.
    let timerBuckets: [Duration]

    /// Every series the agent makes through swift-metrics, with its help text.
    static let help: [String: String] = [
        "rudder_informer_events_total": "Events an informer delivered, by resource and type.",
        "rudder_informer_last_event_timestamp_seconds":
            "When an informer last delivered an event (Unix time); time() minus this is its quiet time.",
        "rudder_informer_last_progress_timestamp_seconds":
            "When an informer's watch last showed it was alive (a LIST, an event or a bookmark; Unix time).",
        "rudder_service_sync_duration_seconds":
            "How long a service proxy sync took: scope full (start-up, resync) or service (one Service).",
        "rudder_ipvs_operations_total": "IPVS operations the kernel accepted.",
        "rudder_ipvs_operation_failures_total": "IPVS operations the kernel refused.",
        "rudder_service_sync_errors_total": "Service proxy syncs that failed as a whole (and will be retried).",
        "rudder_services_rejected_total": "Services refused as invalid at a sync (logged with every problem).",
        "rudder_service_inputs_skipped_total":
            "EndpointSlice input the proxy could not use, first seen: reason endpoint_address or orphan_slice.",
        "rudder_pod_route_operations_total": "Pod route adds, replaces and deletes the kernel accepted.",
        "rudder_pod_route_operation_failures_total": "Pod route operations the kernel refused (logged with the route).",
        "rudder_pod_route_repairs_total":
            "Pod route operations that repaired drift a kernel event showed (a route deleted or changed by someone else).",
        "rudder_pod_route_conflicts":
            "Wanted pod routes left alone at the last full sync because a route Rudder does not own holds their key.",
        "rudder_pod_network_link_operations_total":
            "Bridge, address and tunnel changes the pod network made that the kernel accepted.",
        "rudder_pod_network_failures_total": "Pod network changes that failed (logged with the object and why).",
        "rudder_cni_config_writes_total": "Times the CNI conflist was written because its content changed.",
        "rudder_pod_egress_writes_total": "Pod egress masquerade set replacements and rule restores.",
        "rudder_pod_network_repairs_total":
            "Times a kernel event about the bridge or a tunnel led to a repair that changed something.",
        "rudder_bgp_session_established": "1 while the BGP session with a peer is Established, else 0.",
        "rudder_bgp_prefixes_received": "Prefixes a BGP peer sent that import policy accepted.",
        "rudder_bgp_prefixes_advertised": "Prefixes advertised to a BGP peer.",
    ]

    /// The whole name goes in `metricName`: swift-metrics labels are already full Prometheus names.
    private func named(_ label: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: label, unitName: "", helpText: Self.help[label] ?? "Rudder's \(label).")
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: named(label), labels: dimensions)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: named(label), labels: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return registry.makeGauge(descriptor: named(label), labels: dimensions) }
        return registry.makeValueHistogram(
            descriptor: named(label), labels: dimensions, buckets: [0.001, 0.01, 0.1, 1, 10, 100])
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: named(label), labels: dimensions)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        registry.makeDurationHistogram(descriptor: named(label), labels: dimensions, buckets: timerBuckets)
    }

    func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyRecorder(_ handler: any RecorderHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
        if let histogram = handler as? ValueHistogram { registry.unregisterValueHistogram(histogram) }
    }

    func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? DurationHistogram { registry.unregisterDurationHistogram(histogram) }
    }
}
