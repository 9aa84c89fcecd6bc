/// What the RIB's prefix table holds for a prefix, in one word: its only path, inline (the common
/// case, one peer or this speaker), or the index of a list of paths, best first.
enum RIBEntry: Hashable, Sendable {
    /// A single path, which is the best.
    case one(RIBPath)
    /// Two or more paths, in the RIB's path lists at this index.
    case many(Int)

    private static let listFlag: UInt64 = 1 << 63

    /// The entry a table word holds.
    init(rawValue: UInt64) {
        self =
            rawValue & Self.listFlag != 0
            ? .many(Int(truncatingIfNeeded: rawValue & 0xffff_ffff)) : .one(RIBPath(rawValue: rawValue))
    }

    /// The word for the table.
    var rawValue: UInt64 {
        switch self {
        case .one(let path): path.rawValue
        case .many(let index): Self.listFlag | UInt64(index)
        }
    }
}
