/// One route of a prefix as the RIB stores it, in one word: the slot of its source (0 for this
/// speaker, one per peer), the slot of its interned attribute set, and the graceful-restart stale
/// mark. A full table holds a million of these, so they carry no references.
struct RIBPath: Hashable, Sendable {
    /// The most source slots a path can name.
    static let sourceLimit = 1 << 24

    /// Bits 0-31 the attribute slot, 32-55 the source slot, 56 stale; bit 63 stays clear for `RIBEntry`.
    let rawValue: UInt64

    /// A path from its word.
    init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// A path from its parts.
    init(attributeSlot: Int, source: Int, stale: Bool = false) {
        precondition(attributeSlot >= 0 && attributeSlot <= Int(UInt32.max), "attribute slot out of range")
        precondition(source >= 0 && source < Self.sourceLimit, "source slot out of range")
        rawValue = UInt64(attributeSlot) | UInt64(source) << 32 | (stale ? 1 << 56 : 0)
    }

    /// The slot of its attribute set in the RIB's `AttributeTable`.
    var attributeSlot: Int { Int(truncatingIfNeeded: rawValue & 0xffff_ffff) }
    /// The slot of its source in the RIB.
    var source: Int { Int(truncatingIfNeeded: rawValue >> 32 & 0xff_ffff) }
    /// Kept by graceful restart and not yet announced again.
    var stale: Bool { rawValue & 1 << 56 != 0 }

    /// The same path with the stale mark set or cleared.
    func marked(stale: Bool) -> RIBPath {
        RIBPath(rawValue: stale ? rawValue | 1 << 56 : rawValue & ~(1 << 56))
    }
}
