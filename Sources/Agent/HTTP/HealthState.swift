import NIOConcurrencyHelpers

/// What `/healthz` and `/readyz` answer, shared by the controllers that report into it.
///
/// Liveness says only whether the agent's own loops are alive. It never depends on the API
/// server: an unreachable API server must not get a healthy agent restarted, which would tear
/// down a dataplane that is still right (the mistake of kube-router's issue #912). Readiness
/// says whether every component has applied its first full sync; once ready, a component stays
/// ready, because its last applied state keeps serving traffic.
public final class HealthState: Sendable {
    /// One component's state.
    public enum Status: Sendable, Equatable {
        /// Started, first sync not applied yet.
        case starting
        /// First full sync applied.
        case ready
        /// Its loop ended with an error: the agent is not alive any more.
        case failed(String)
    }

    private let components = NIOLockedValueBox<[String: Status]>([:])
    private let warnings = NIOLockedValueBox<[String: String]>([:])

    /// An empty state: alive, and ready only once components register and become ready.
    public init() {}

    /// Adds a component that must become ready before the agent is.
    public func register(_ component: String) {
        components.withLockedValue { if $0[component] == nil { $0[component] = .starting } }
    }

    /// Records that a component applied its first full sync.
    public func markReady(_ component: String) {
        components.withLockedValue { $0[component] = .ready }
    }

    /// Records that a component's loop died.
    public func markFailed(_ component: String, reason: String) {
        components.withLockedValue { $0[component] = .failed(reason) }
    }

    /// Records something an operator must see on `/readyz` whatever the components' states, such
    /// as an API server address that cannot answer; it does not change readiness.
    public func warn(_ topic: String, _ message: String) {
        warnings.withLockedValue { $0[topic] = message }
    }

    /// Removes a warning once what it said is no longer so.
    public func clearWarning(_ topic: String) {
        _ = warnings.withLockedValue { $0.removeValue(forKey: topic) }
    }

    /// Each component and its state, sorted by name.
    public var snapshot: [(component: String, status: Status)] {
        components.withLockedValue { $0.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
    }

    /// Whether no component's loop has died.
    public var isAlive: Bool {
        snapshot.allSatisfy { if case .failed = $0.status { false } else { true } }
    }

    /// Whether at least one component is registered and all are ready.
    public var isReady: Bool {
        let all = snapshot
        return !all.isEmpty && all.allSatisfy { $0.status == .ready }
    }

    /// The body of `/healthz` or `/readyz`: one `[+]name ok` or `[-]name reason` line per component,
    /// as the kube-apiserver writes its verbose health checks, and on `/readyz` one `[!]topic
    /// message` line per warning.
    public func report(readiness: Bool) -> String {
        var lines: [String] = []
        for (component, status) in snapshot {
            switch status {
            case .ready: lines.append("[+]\(component) ok")
            case .starting:
                lines.append(readiness ? "[-]\(component) first sync not applied yet" : "[+]\(component) ok")
            case .failed(let reason): lines.append("[-]\(component) failed: \(reason)")
            }
        }
        if readiness {
            for (topic, message) in warnings.withLockedValue({ $0.sorted { $0.key < $1.key } }) {
                lines.append("[!]\(topic) \(message)")
            }
        }
        let passed = readiness ? isReady : isAlive
        lines.append(
            passed
                ? "\(readiness ? "readyz" : "healthz") check passed"
                : "\(readiness ? "readyz" : "healthz") check failed")
        return lines.joined(separator: "\n") + "\n"
    }
}
