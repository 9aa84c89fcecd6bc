/// An open-addressing hash table from IPv4 prefixes to 64-bit words: the index of the RIB.
///
/// A full IPv4 table is about a million prefixes. `Dictionary<BGPPrefix, _>` spent most of a
/// full-table ingest in SipHash and kept a 24-byte key in each of its buckets. Here a prefix is
/// packed into one word (a flag, the address, the length), a slot is two words, probing is
/// linear, and the hash is a 64-bit mixer of the key XOR a random seed, so a peer cannot pick
/// prefixes that pile into one run of slots without knowing the seed. Removal shifts the
/// following entries back instead of leaving tombstones, so churn never slows lookups.
///
/// The table is 1,024 shards, each growing on its own: growing one array of a million entries
/// would hold the old and the new array at once, half again the table's memory at the moment a
/// full table arrives. A prefix's shard is picked by a hash of its /16 block, so the prefixes of
/// one UPDATE, which are mostly neighbours, land in a few shards of some tens of kilobytes that
/// stay in cache, where a hash of the whole prefix sent every lookup to main memory.
struct IPv4PrefixTable: Sendable {
    private struct Slot: Sendable {
        /// The packed prefix; 0 marks an empty slot, 1 one being removed by `updateAll`.
        var key: UInt64
        var value: UInt64
    }

    private struct Shard: Sendable {
        var slots: ContiguousArray<Slot> = []
        var count = 0
    }

    private static let shardBits = 10
    private static let occupied: UInt64 = 1 << 63
    private static let removed: UInt64 = 1

    /// Empty until the first prefix arrives, so an unused table costs nothing.
    private var shards: [Shard] = []
    private let seed = UInt64.random(in: .min ... .max)
    /// How many prefixes are held.
    private(set) var count = 0

    /// An empty table.
    init() {}

    /// The value of a prefix, which must be IPv4.
    subscript(prefix: BGPPrefix) -> UInt64? {
        get {
            guard !shards.isEmpty else { return nil }
            let key = Self.key(prefix)
            let hash = Self.mix(key, seed: seed)
            return shards[Self.shard(key, seed: seed)].slots.withUnsafeBufferPointer { slots in
                guard !slots.isEmpty else { return nil }
                let (index, found) = Self.find(key, hash: hash, in: slots)
                return found ? slots[index].value : nil
            }
        }
        set {
            let key = Self.key(prefix)
            let hash = Self.mix(key, seed: seed)
            if shards.isEmpty {
                guard newValue != nil else { return }
                shards = Array(repeating: Shard(), count: 1 << Self.shardBits)
            }
            let shard = Self.shard(key, seed: seed)
            guard let newValue else {
                if Self.remove(key, hash: hash, from: &shards[shard], seed: seed) { count -= 1 }
                return
            }
            if Self.insert(key, hash: hash, value: newValue, into: &shards[shard], seed: seed) { count += 1 }
        }
    }

    /// Calls `body` with every prefix and its value, in no particular order.
    func forEach(_ body: (BGPPrefix, UInt64) throws -> Void) rethrows {
        for shard in shards {
            for slot in shard.slots where slot.key != 0 { try body(Self.prefix(slot.key), slot.value) }
        }
    }

    /// Replaces every value by what `body` returns for it; nil removes the prefix. A shard that
    /// lost entries is rebuilt at the size that fits, so a table emptied by a peer going down
    /// does not keep its memory.
    mutating func updateAll(_ body: (BGPPrefix, UInt64) -> UInt64?) {
        for shard in shards.indices {
            var removals = 0
            shards[shard].slots.withUnsafeMutableBufferPointer { slots in
                for index in slots.indices where slots[index].key != 0 {
                    if let value = body(Self.prefix(slots[index].key), slots[index].value) {
                        slots[index].value = value
                    } else {
                        slots[index].key = Self.removed
                        removals += 1
                    }
                }
            }
            guard removals > 0 else { continue }
            shards[shard].count -= removals
            count -= removals
            Self.resize(&shards[shard], to: Self.capacity(for: shards[shard].count), seed: seed)
        }
        if count == 0 { shards = [] }
    }

    /// The smallest capacity, a power of two, that holds `count` prefixes at most three quarters
    /// full; 0 for none.
    private static func capacity(for count: Int) -> Int {
        guard count > 0 else { return 0 }
        var capacity = 8
        while count * 4 > capacity * 3 { capacity *= 2 }
        return capacity
    }

    private static func key(_ prefix: BGPPrefix) -> UInt64 {
        // An IPv4 address sits in the top 32 bits of `high`; shifted to bits 8-39, above the length.
        occupied | prefix.address.high >> 24 | UInt64(prefix.length)
    }

    private static func prefix(_ key: UInt64) -> BGPPrefix {
        BGPPrefix(
            unchecked: BGPAddress(family: .ipv4, high: (key & 0xff_ffff_ff00) << 24, low: 0),
            length: UInt8(truncatingIfNeeded: key))
    }

    /// SplitMix64's finalizer over a value and the seed; its low bits pick a key's slot in its shard.
    private static func mix(_ value: UInt64, seed: UInt64) -> UInt64 {
        var mixed = value ^ seed
        mixed = (mixed ^ mixed >> 30) &* 0xbf58_476d_1ce4_e5b9
        mixed = (mixed ^ mixed >> 27) &* 0x94d0_49bb_1331_11eb
        return mixed ^ mixed >> 31
    }

    /// The shard of a key: the top bits of the mix of its /16 block (address bits 16-31).
    private static func shard(_ key: UInt64, seed: UInt64) -> Int {
        Int(truncatingIfNeeded: mix(key >> 24 & 0xffff, seed: seed) >> UInt64(64 - shardBits))
    }

    private static func home(_ hash: UInt64, mask: Int) -> Int {
        Int(truncatingIfNeeded: hash) & mask
    }

    /// The key's slot, or the empty slot where it would go; `slots` must not be empty.
    private static func find(
        _ key: UInt64, hash: UInt64, in slots: UnsafeBufferPointer<Slot>
    ) -> (index: Int, found: Bool) {
        let mask = slots.count - 1
        var index = home(hash, mask: mask)
        while true {
            let candidate = slots[index].key
            if candidate == key { return (index, true) }
            if candidate == 0 { return (index, false) }
            index = (index + 1) & mask
        }
    }

    /// Sets the key's value, growing the shard first when it would pass three quarters; true
    /// when the key is new.
    private static func insert(
        _ key: UInt64, hash: UInt64, value: UInt64, into shard: inout Shard, seed: UInt64
    ) -> Bool {
        if (shard.count + 1) * 4 > shard.slots.count * 3 {
            resize(&shard, to: capacity(for: shard.count + 1), seed: seed)
        }
        let found = shard.slots.withUnsafeMutableBufferPointer { slots in
            let (index, found) = Self.find(key, hash: hash, in: UnsafeBufferPointer(slots))
            slots[index] = Slot(key: key, value: value)
            return found
        }
        if !found { shard.count += 1 }
        return !found
    }

    /// Removes the key, moving back each following entry that the hole kept from its home;
    /// true when the key was there.
    private static func remove(_ key: UInt64, hash: UInt64, from shard: inout Shard, seed: UInt64) -> Bool {
        let removed = shard.slots.withUnsafeMutableBufferPointer { slots -> Bool in
            guard !slots.isEmpty else { return false }
            let (index, found) = Self.find(key, hash: hash, in: UnsafeBufferPointer(slots))
            guard found else { return false }
            let mask = slots.count - 1
            var hole = index
            var next = (hole + 1) & mask
            while slots[next].key != 0 {
                let home = Self.home(mix(slots[next].key, seed: seed), mask: mask)
                // The entry may fill the hole when the hole lies between its home and where it is.
                if (next - home) & mask >= (next - hole) & mask {
                    slots[hole] = slots[next]
                    hole = next
                }
                next = (next + 1) & mask
            }
            slots[hole] = Slot(key: 0, value: 0)
            return true
        }
        if removed { shard.count -= 1 }
        return removed
    }

    /// Moves a shard's live entries into a new array of `capacity` slots.
    private static func resize(_ shard: inout Shard, to capacity: Int, seed: UInt64) {
        let old = shard.slots
        shard.slots = ContiguousArray(repeating: Slot(key: 0, value: 0), count: capacity)
        guard capacity > 0 else { return }
        shard.slots.withUnsafeMutableBufferPointer { slots in
            let mask = capacity - 1
            for slot in old where slot.key & Self.occupied != 0 {
                var index = Self.home(mix(slot.key, seed: seed), mask: mask)
                while slots[index].key != 0 { index = (index + 1) & mask }
                slots[index] = slot
            }
        }
    }
}
