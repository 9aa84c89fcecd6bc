/// Splits many routes into the fewest UPDATE messages of at most 4096 bytes.
///
/// IPv4 prefixes go in the NLRI / Withdrawn Routes fields, IPv6 prefixes in MP_REACH_NLRI /
/// MP_UNREACH_NLRI; the two families are packed into separate messages, as peers expect one
/// family per UPDATE. Within a family the prefixes are placed first-fit by decreasing size, which
/// with NLRI sizes of 1 to 17 bytes leaves each message at most a few bytes short of full.
public enum BGPUpdatePacker {
    /// UPDATEs announcing `prefixes` with `attributes`. IPv6 prefixes need `ipv6NextHop`, and are
    /// sent without the attributes' IPv4 NEXT_HOP.
    public static func announcements(
        _ prefixes: [BGPPrefix], attributes: PathAttributes, ipv6NextHop: MultiprotocolNextHop?,
        context: BGPCodecContext
    ) -> [BGPUpdate] {
        let ipv4 = prefixes.filter { $0.family == .ipv4 }
        let ipv6 = prefixes.filter { $0.family == .ipv6 }
        var updates: [BGPUpdate] = []
        if !ipv4.isEmpty {
            let fixed = BGPUpdate(attributes: attributes).encode(context: context).count
            updates += pack(ipv4, capacity: BGPMessageHeader.maximumMessageLength - fixed).map {
                BGPUpdate(attributes: attributes, announced: $0)
            }
        }
        if !ipv6.isEmpty {
            precondition(ipv6NextHop != nil, "IPv6 prefixes need an IPv6 next hop")
            let nextHop = ipv6NextHop ?? MultiprotocolNextHop(global: .zero(.ipv6))
            var sixAttributes = attributes
            sixAttributes.nextHop = nil
            let empty = MultiprotocolReach(family: .ipv6Unicast, nextHop: nextHop, prefixes: [])
            // The empty MP_REACH_NLRI has a 1-byte length; a full one needs the 2-byte form.
            let fixed =
                BGPUpdate(attributes: sixAttributes, multiprotocolReach: empty).encode(context: context).count + 1
            updates += pack(ipv6, capacity: BGPMessageHeader.maximumMessageLength - fixed).map {
                BGPUpdate(
                    attributes: sixAttributes,
                    multiprotocolReach: MultiprotocolReach(family: .ipv6Unicast, nextHop: nextHop, prefixes: $0))
            }
        }
        return updates
    }

    /// UPDATEs withdrawing `prefixes`.
    public static func withdrawals(_ prefixes: [BGPPrefix], context: BGPCodecContext) -> [BGPUpdate] {
        let ipv4 = prefixes.filter { $0.family == .ipv4 }
        let ipv6 = prefixes.filter { $0.family == .ipv6 }
        var updates: [BGPUpdate] = []
        if !ipv4.isEmpty {
            let fixed = BGPUpdate().encode(context: context).count
            updates += pack(ipv4, capacity: BGPMessageHeader.maximumMessageLength - fixed).map {
                BGPUpdate(withdrawn: $0)
            }
        }
        if !ipv6.isEmpty {
            let empty = MultiprotocolUnreach(family: .ipv6Unicast, prefixes: [])
            let fixed = BGPUpdate(multiprotocolUnreach: empty).encode(context: context).count + 1
            updates += pack(ipv6, capacity: BGPMessageHeader.maximumMessageLength - fixed).map {
                BGPUpdate(multiprotocolUnreach: MultiprotocolUnreach(family: .ipv6Unicast, prefixes: $0))
            }
        }
        return updates
    }

    /// First-fit decreasing over NLRI sizes: prefixes are grouped by size, and each size group fills
    /// the messages that still have room before new ones are opened.
    static func pack(_ prefixes: [BGPPrefix], capacity: Int) -> [[BGPPrefix]] {
        guard capacity >= 17 else { return prefixes.map { [$0] } }
        var bySize = [[BGPPrefix]](repeating: [], count: 18)
        for prefix in prefixes { bySize[prefix.nlriByteCount].append(prefix) }
        var bins: [[BGPPrefix]] = []
        var room: [Int] = []
        for size in stride(from: 17, through: 1, by: -1) where !bySize[size].isEmpty {
            var pending = bySize[size][...]
            var index = 0
            while !pending.isEmpty {
                if index == bins.count {
                    bins.append([])
                    room.append(capacity)
                }
                let fits = min(room[index] / size, pending.count)
                if fits > 0 {
                    bins[index] += pending.prefix(fits)
                    pending = pending.dropFirst(fits)
                    room[index] -= fits * size
                }
                index += 1
            }
        }
        return bins
    }
}
