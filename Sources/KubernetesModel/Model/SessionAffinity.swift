/// Whether a client sticks to one endpoint (`spec.sessionAffinity`).
public enum SessionAffinity: String, KubernetesEnum {
    /// No stickiness.
    case none = "None"
    /// Sticky by client IP, for `sessionAffinityConfig.clientIP.timeoutSeconds`.
    case clientIP = "ClientIP"
}
