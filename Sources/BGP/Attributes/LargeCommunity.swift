/// A large community (RFC 8092): a 4-octet global administrator and two 4-octet values.
public struct LargeCommunity: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The global administrator, usually an AS number.
    public var globalAdministrator: UInt32
    /// The first local data part.
    public var localData1: UInt32
    /// The second local data part.
    public var localData2: UInt32

    /// A large community from its parts.
    public init(_ globalAdministrator: UInt32, _ localData1: UInt32, _ localData2: UInt32) {
        self.globalAdministrator = globalAdministrator
        self.localData1 = localData1
        self.localData2 = localData2
    }

    /// Numeric order, part by part.
    public static func < (lhs: LargeCommunity, rhs: LargeCommunity) -> Bool {
        (lhs.globalAdministrator, lhs.localData1, lhs.localData2)
            < (rhs.globalAdministrator, rhs.localData1, rhs.localData2)
    }

    /// "4200000001:1:2".
    public var description: String { "\(globalAdministrator):\(localData1):\(localData2)" }
}
