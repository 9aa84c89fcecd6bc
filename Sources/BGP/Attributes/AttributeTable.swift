/// Interns path attribute sets: each distinct set is stored once, with a count of the routes that
/// hold it, and dropped when the last one lets go. Releasing is by slot, so withdrawing a route
/// costs no hashing of its attributes.
public struct AttributeTable: Sendable {
    private struct Slot: Sendable {
        var set: AttributeSet
        var references: Int
    }

    private var index: [AttributeSet.Key: Int] = [:]
    private var slots: [Slot?] = []
    private var freeSlots: [Int] = []

    /// An empty table.
    public init() {}

    /// How many distinct sets are held.
    public var count: Int { index.count }

    /// The shared set for these attributes, its count raised by `references` (one per route that
    /// will hold it).
    public mutating func intern(
        _ attributes: PathAttributes, multiprotocolNextHop: MultiprotocolNextHop? = nil, references: Int = 1
    ) -> AttributeSet {
        let key = AttributeSet.Key(attributes: attributes, multiprotocolNextHop: multiprotocolNextHop)
        if let slot = index[key], let existing = slots[slot] {
            slots[slot]?.references = existing.references + references
            return existing.set
        }
        let slot = freeSlots.popLast() ?? slots.count
        let set = AttributeSet(key, slot: slot)
        if slot == slots.count { slots.append(nil) }
        slots[slot] = Slot(set: set, references: references)
        index[key] = slot
        return set
    }

    /// Adds references to a set this table made.
    public mutating func retain(_ set: AttributeSet, count: Int = 1) {
        precondition(owns(set), "the attribute set belongs to another table")
        retain(slot: set.slot, count: count)
    }

    /// Drops references to a set this table made; the set leaves the table with its last one.
    public mutating func release(_ set: AttributeSet, count: Int = 1) {
        precondition(owns(set), "the attribute set belongs to another table")
        release(slot: set.slot, count: count)
    }

    /// The set held in a slot, which must be in use (the RIB stores slots, not references).
    subscript(slot slot: Int) -> AttributeSet {
        guard let held = slots[slot] else { preconditionFailure("attribute slot \(slot) is free") }
        return held.set
    }

    /// Adds references to the set in a slot that is in use.
    mutating func retain(slot: Int, count: Int = 1) {
        slots[slot]?.references += count
    }

    /// Drops references to the set in a slot; the set leaves the table with its last one.
    mutating func release(slot: Int, count: Int = 1) {
        guard let held = slots[slot] else { return }
        if held.references > count {
            slots[slot]?.references = held.references - count
            return
        }
        slots[slot] = nil
        index[held.set.key] = nil
        freeSlots.append(slot)
    }

    /// How many routes hold this set (0 when it is not in the table).
    public func references(to set: AttributeSet) -> Int {
        owns(set) ? slots[set.slot]?.references ?? 0 : 0
    }

    private func owns(_ set: AttributeSet) -> Bool {
        set.slot < slots.count && slots[set.slot]?.set === set
    }
}
