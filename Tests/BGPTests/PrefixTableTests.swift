import Testing

@testable import BGP

/// The RIB's prefix index, checked against a dictionary over long random sequences of operations.
@Suite struct PrefixTableTests {
    /// Random inserts, updates and removals over a key space that keeps each of the 1,024 shards
    /// tens of entries full, so runs of neighbouring slots form, wrap around the end of their
    /// array and are shifted back by removals.
    @Test(arguments: [UInt64(1), 2, 3])
    func matchesADictionaryThroughInsertsUpdatesAndRemovals(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        var table = PrefixTable()
        var model: [BGPPrefix: UInt64] = [:]
        let keys = Self.prefixes(40_000, using: &generator)
        for step in 0..<120_000 {
            let prefix = keys.randomElement(using: &generator)!
            if Bool.random(using: &generator) || model.count < 10 {
                let value = UInt64.random(in: 0...UInt64.max >> 1, using: &generator)
                table[prefix] = value
                model[prefix] = value
            } else {
                table[prefix] = nil
                model[prefix] = nil
            }
            #expect(table.count == model.count, "step \(step)")
            if step % 30_000 == 0 { try Self.expect(table, equals: model) }
        }
        try Self.expect(table, equals: model)
        for prefix in keys { #expect(table[prefix] == model[prefix]) }
    }

    @Test func updateAllChangesAndRemovesInOnePassAndShrinks() throws {
        var generator = SeededGenerator(seed: 7)
        var table = PrefixTable()
        var model: [BGPPrefix: UInt64] = [:]
        for (index, prefix) in Self.prefixes(5_000, using: &generator).enumerated() {
            table[prefix] = UInt64(index)
            model[prefix] = UInt64(index)
        }
        table.updateAll { _, value in value % 3 == 0 ? nil : value * 2 }
        model = model.filter { $0.value % 3 != 0 }.mapValues { $0 * 2 }
        try Self.expect(table, equals: model)
        table.updateAll { _, _ in nil }
        #expect(table.count == 0)
        var visited = 0
        table.forEach { _, _ in visited += 1 }
        #expect(visited == 0)
        table[BGPPrefix("0.0.0.0/0")!] = 5
        #expect(table[BGPPrefix("0.0.0.0/0")!] == 5, "a table emptied by updateAll takes prefixes again")
    }

    /// Shards are picked by /16 block, so every prefix inside one /16 shares a shard: all 131,071
    /// prefixes of 10.1.0.0/16, from the /16 to its /32s, must still be found and withdrawn.
    @Test func everyPrefixOfOneSixteenFillsOneShardAndStaysReachable() throws {
        var table = PrefixTable()
        var prefixes: [BGPPrefix] = []
        for length in 16...32 {
            let step = UInt32(1) << UInt32(32 - length)
            for index in 0..<(UInt32(1) << UInt32(length - 16)) {
                prefixes.append(
                    try #require(BGPPrefix(address: BGPAddress(ipv4: 0x0a01_0000 + index * step), length: length)))
            }
        }
        #expect(prefixes.count == 131_071)
        for (index, prefix) in prefixes.enumerated() { table[prefix] = UInt64(index) }
        #expect(table.count == prefixes.count)
        #expect(prefixes.indices.allSatisfy { table[prefixes[$0]] == UInt64($0) })
        for prefix in prefixes where prefix.length > 24 { table[prefix] = nil }
        #expect(table.count == 511)
        #expect(prefixes.indices.allSatisfy { table[prefixes[$0]] == (prefixes[$0].length > 24 ? nil : UInt64($0)) })
    }

    @Test func theExtremeLengthsAreDistinctKeys() {
        var table = PrefixTable()
        let prefixes = ["0.0.0.0/0", "0.0.0.0/1", "255.255.255.255/32", "255.255.255.254/31", "::/0", "::/128"]
            .map { BGPPrefix($0)! }
        for (index, prefix) in prefixes.enumerated() { table[prefix] = UInt64(index) }
        #expect(table.count == prefixes.count)
        for (index, prefix) in prefixes.enumerated() { #expect(table[prefix] == UInt64(index)) }
        var seen: [BGPPrefix] = []
        table.forEach { prefix, _ in seen.append(prefix) }
        #expect(Set(seen) == Set(prefixes), "forEach gives back the prefixes as they went in")
    }

    /// Distinct prefixes of both families, most of them IPv4.
    private static func prefixes(_ count: Int, using generator: inout SeededGenerator) -> [BGPPrefix] {
        var prefixes = Set<BGPPrefix>()
        while prefixes.count < count {
            let prefix: BGPPrefix?
            if Int.random(in: 0..<10, using: &generator) < 8 {
                prefix = BGPPrefix(
                    address: BGPAddress(ipv4: UInt32.random(in: .min ... .max, using: &generator)),
                    length: Int.random(in: 0...32, using: &generator))
            } else {
                let bytes = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
                prefix = BGPPrefix(
                    address: BGPAddress(bytes: bytes)!, length: Int.random(in: 0...128, using: &generator))
            }
            if let prefix { prefixes.insert(prefix) }
        }
        return Array(prefixes)
    }

    private static func expect(_ table: PrefixTable, equals model: [BGPPrefix: UInt64]) throws {
        var seen: [BGPPrefix: UInt64] = [:]
        table.forEach { prefix, value in
            #expect(seen.updateValue(value, forKey: prefix) == nil, "\(prefix) visited twice")
        }
        #expect(seen == model)
    }
}
