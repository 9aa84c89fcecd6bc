/// The flags of an IPVS virtual service (IP_VS_SVC_F_*).
public struct IPVSServiceFlags: OptionSet, Hashable, Sendable {
    /// The raw flag bits.
    public var rawValue: UInt32

    /// Flags from raw bits.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Persistent connections; set exactly when a service has a persistence timeout.
    public static let persistent = IPVSServiceFlags(rawValue: 0x1)
    /// Set by the kernel on every service in its hash table; never sent, ignored when comparing.
    public static let hashed = IPVSServiceFlags(rawValue: 0x2)
    /// One-packet scheduling: each UDP datagram is scheduled on its own (ipvsadm's `-o`).
    public static let onePacket = IPVSServiceFlags(rawValue: 0x4)
    /// Scheduler flag 1: sh-fallback for sh, mh-fallback for mh.
    public static let sched1 = IPVSServiceFlags(rawValue: 0x8)
    /// Scheduler flag 2: sh-port for sh, mh-port for mh.
    public static let sched2 = IPVSServiceFlags(rawValue: 0x10)
    /// Scheduler flag 3.
    public static let sched3 = IPVSServiceFlags(rawValue: 0x20)
    /// sh/mh: pick another real server when the hashed one is unavailable.
    public static let fallback = sched1
    /// sh/mh: hash the source port as well as the source address.
    public static let hashPort = sched2
}
