/// The RIB's index from prefix to entry: IPv4 prefixes in an `IPv4PrefixTable`, built for a full
/// table, IPv6 prefixes in a dictionary (a full IPv6 table is a fifth of the IPv4 one).
struct PrefixTable: Sendable {
    private var ipv4 = IPv4PrefixTable()
    private var ipv6: [BGPPrefix: UInt64] = [:]

    /// An empty table.
    init() {}

    /// How many prefixes are held.
    var count: Int { ipv4.count + ipv6.count }

    /// The value of a prefix; nil removes it.
    subscript(prefix: BGPPrefix) -> UInt64? {
        get { prefix.family == .ipv4 ? ipv4[prefix] : ipv6[prefix] }
        set {
            if prefix.family == .ipv4 { ipv4[prefix] = newValue } else { ipv6[prefix] = newValue }
        }
    }

    /// Calls `body` with every prefix and its value, in no particular order.
    func forEach(_ body: (BGPPrefix, UInt64) throws -> Void) rethrows {
        try ipv4.forEach(body)
        for (prefix, value) in ipv6 { try body(prefix, value) }
    }

    /// Replaces every value by what `body` returns for it; nil removes the prefix.
    mutating func updateAll(_ body: (BGPPrefix, UInt64) -> UInt64?) {
        ipv4.updateAll(body)
        var removals: [BGPPrefix] = []
        // Through indices, so the dictionary is changed in place rather than copied while iterated.
        var index = ipv6.startIndex
        while index != ipv6.endIndex {
            let (prefix, value) = ipv6[index]
            if let replacement = body(prefix, value) {
                if replacement != value { ipv6.values[index] = replacement }
            } else {
                removals.append(prefix)
            }
            ipv6.formIndex(after: &index)
        }
        for prefix in removals { ipv6[prefix] = nil }
    }
}
