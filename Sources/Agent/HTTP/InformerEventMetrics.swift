import CoreMetrics
import Foundation
import Kubernetes
import KubernetesModel

/// One informer's series: events by type, when the last one arrived, and when its watch last
/// showed it was alive.
///
/// `time() - rudder_informer_last_event_timestamp_seconds` is how long an informer has been
/// quiet; bookmarks do not count there, so a quiet cluster looks like a lost watch. Progress
/// counts them: the API server sends one about every minute on a live watch, so
/// `time() - rudder_informer_last_progress_timestamp_seconds` grows only for a stuck one.
struct InformerEventMetrics: Sendable {
    private let added: Counter
    private let updated: Counter
    private let deleted: Counter
    private let rejected: Counter
    private let synced: Counter
    private let lastEvent: Gauge
    private let lastProgress: Gauge

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
        lastProgress = Gauge(
            label: "rudder_informer_last_progress_timestamp_seconds", dimensions: [("resource", resource)],
            factory: factory)
    }

    /// Records that the watch is alive (a LIST, an event or a bookmark).
    func progressed() {
        lastProgress.record(Date().timeIntervalSince1970)
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
