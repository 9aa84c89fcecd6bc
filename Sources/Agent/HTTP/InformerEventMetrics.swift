import CoreMetrics
import Foundation
import Kubernetes
import KubernetesModel

/// One informer's series: events by type, and when the last one arrived.
///
/// `time() - rudder_informer_last_event_timestamp_seconds` is how far behind a quiet informer
/// may be; bookmarks do not count, so a quiet cluster looks the same as a lost watch, and the
/// health endpoints (not this series) tell the two apart.
struct InformerEventMetrics: Sendable {
    private let added: Counter
    private let updated: Counter
    private let deleted: Counter
    private let rejected: Counter
    private let synced: Counter
    private let lastEvent: Gauge

    /// Series for the informer of `resource` ("services", "endpointslices", "nodes", "pods").
    init(resource: String, factory: any MetricsFactory) {
        func events(_ type: String) -> Counter {
            Counter(
                label: "rudder_informer_events_total", dimensions: [("resource", resource), ("type", type)],
                factory: factory)
        }
        added = events("added")
        updated = events("updated")
        deleted = events("deleted")
        rejected = events("rejected")
        synced = events("synced")
        lastEvent = Gauge(
            label: "rudder_informer_last_event_timestamp_seconds", dimensions: [("resource", resource)],
            factory: factory)
    }

    /// Counts one batch of events.
    func record<R>(_ batch: [InformerEvent<R>]) {
        guard !batch.isEmpty else { return }
        for event in batch {
            switch event {
            case .added: added.increment()
            case .updated: updated.increment()
            case .deleted: deleted.increment()
            case .rejected: rejected.increment()
            case .synced: synced.increment()
            }
        }
        lastEvent.record(Date().timeIntervalSince1970)
    }
}
