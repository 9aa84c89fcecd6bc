import IPVS

/// What the IPVS planner decided for some virtual services.
public struct IPVSPlan: Hashable, Sendable {
    /// Operations in order; a service is added before its real servers.
    public var operations: [IPVSOperation] = []
    /// Desired virtual services whose key is held by a service Rudder does not own: left alone.
    public var conflicts: [IPVSServiceKey] = []
    /// Real servers no longer wanted that still carry connections: at weight 0 until they drain.
    public var draining: Set<RealServerReference> = []

    /// An empty plan.
    public init() {}
}
