import Addresses

/// An IPVS virtual service: what Rudder asks the kernel for, or what it read back.
///
/// Equality and hashing compare configuration only: the kernel-set `hashed` flag and the
/// statistics are left out, and `persistent` counts as set exactly when there is a persistence
/// timeout (that is how the encoder sends it), so a service read back equals the one it was
/// created from.
public struct IPVSVirtualService: Hashable, Sendable, CustomStringConvertible {
    /// What identifies the service.
    public var key: IPVSServiceKey
    /// The scheduler's name: rr, wrr, lc, wlc, sh, dh, mh, and the kernel's others.
    public var scheduler: String
    /// The service flags as set, or as the kernel reported them (with `hashed`).
    public var flags: IPVSServiceFlags
    /// Persistence in seconds; 0 turns persistence off.
    public var persistenceTimeout: UInt32
    /// Which clients share persistence: for IPv4 a mask in host order (0xffff_ff00 for a /24),
    /// for IPv6 a prefix length (1...128).
    public var netmask: UInt32
    /// Counters and rates, present on services read from the kernel.
    public var statistics: IPVSStatistics? {
        get { counters?.value }
        set { counters = newValue.map(Counters.init) }
    }
    /// Boxed: the agent holds a desired service (which has none) per Service port, and plans carry
    /// one per operation, so 80 bytes of counters inline would be most of each.
    private var counters: Counters?

    /// A service; `netmask` defaults to a single client (255.255.255.255, or /128 for IPv6).
    public init(
        key: IPVSServiceKey, scheduler: String = "rr", flags: IPVSServiceFlags = [], persistenceTimeout: UInt32 = 0,
        netmask: UInt32? = nil, statistics: IPVSStatistics? = nil
    ) {
        self.key = key
        self.scheduler = scheduler
        self.flags = flags
        self.persistenceTimeout = persistenceTimeout
        self.netmask = netmask ?? Self.singleClientNetmask(for: key.family)
        self.counters = statistics.map(Counters.init)
    }

    /// The netmask that gives every client its own persistence: ipvsadm's default.
    public static func singleClientNetmask(for family: AddressFamily) -> UInt32 {
        family == .ipv4 ? 0xFFFF_FFFF : 128
    }

    /// The flags the kernel is asked for: without `hashed`, with `persistent` iff there is a timeout.
    ///
    /// Sending `hashed` would make the kernel refuse to hash the new service and leak it, so it
    /// never leaves this process.
    public var effectiveFlags: IPVSServiceFlags {
        var result = flags.subtracting(.hashed)
        if persistenceTimeout > 0 { result.insert(.persistent) } else { result.remove(.persistent) }
        return result
    }

    /// "TCP 10.96.0.10:53 rr", with flags and persistence when set.
    public var description: String {
        var text = "\(key) \(scheduler)"
        let shown = effectiveFlags.subtracting(.persistent)
        if !shown.isEmpty { text += " flags 0x\(String(shown.rawValue, radix: 16))" }
        if persistenceTimeout > 0 { text += " persistent \(persistenceTimeout)" }
        return text
    }

    /// Same configuration: key, scheduler, effective flags, persistence and netmask.
    public static func == (lhs: IPVSVirtualService, rhs: IPVSVirtualService) -> Bool {
        lhs.key == rhs.key && lhs.scheduler == rhs.scheduler && lhs.effectiveFlags == rhs.effectiveFlags
            && lhs.persistenceTimeout == rhs.persistenceTimeout && lhs.netmask == rhs.netmask
    }

    /// Hashes what `==` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(key)
        hasher.combine(scheduler)
        hasher.combine(effectiveFlags.rawValue)
        hasher.combine(persistenceTimeout)
        hasher.combine(netmask)
    }

    /// Statistics read from the kernel, immutable and shared between copies.
    private final class Counters: Sendable {
        let value: IPVSStatistics

        init(_ value: IPVSStatistics) {
            self.value = value
        }
    }
}
