/// The IPVS scheduler of a service and its flags, named as kube-router's annotations name them
/// (the annotations themselves are the agent's business: `ServiceAnnotations`).
public struct SchedulingPolicy: Hashable, Sendable {
    /// Schedulers Rudder accepts: kube-router's set.
    public enum Scheduler: String, Hashable, Sendable, CaseIterable {
        /// Round robin.
        case rr
        /// Least connection.
        case lc
        /// Destination hashing.
        case dh
        /// Source hashing.
        case sh
        /// Maglev hashing.
        case mh
    }

    /// IP_VS_SVC_F_SCHED1...3, written `flag-1`...`flag-3` in `kube-router.io/service.schedflags`.
    ///
    /// For sh they are sh-fallback and sh-port; for mh mh-fallback and mh-port.
    public enum Flag: String, Hashable, Sendable, CaseIterable, Comparable {
        case flag1 = "flag-1"
        case flag2 = "flag-2"
        case flag3 = "flag-3"

        public static func < (lhs: Flag, rhs: Flag) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The scheduler.
    public var scheduler: Scheduler
    /// Scheduler flags.
    public var flags: Set<Flag>

    /// Round robin with no flags, kube-router's default.
    public init(scheduler: Scheduler = .rr, flags: Set<Flag> = []) {
        self.scheduler = scheduler
        self.flags = flags
    }
}
