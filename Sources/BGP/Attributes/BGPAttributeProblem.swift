/// A malformed or unwanted path attribute in a received UPDATE, and what RFC 7606 made of it.
public struct BGPAttributeProblem: Hashable, Sendable, CustomStringConvertible {
    /// The RFC 7606 §2 approach taken, weakest first.
    public enum Action: Int, Hashable, Sendable, Comparable {
        /// The attribute was dropped; the routes stand with the rest.
        case attributeDiscard
        /// The UPDATE's routes were all turned into withdrawals.
        case treatAsWithdraw

        /// Orders by strength.
        public static func < (lhs: Action, rhs: Action) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The attribute type code (nil when the attribute section itself was broken).
    public var typeCode: UInt8?
    /// What is wrong.
    public var problem: String
    /// What was done about it.
    public var action: Action

    /// A problem from its parts.
    public init(typeCode: UInt8?, problem: String, action: Action) {
        self.typeCode = typeCode
        self.problem = problem
        self.action = action
    }

    /// "AS_PATH: segment type 0 is unknown (treat-as-withdraw)".
    public var description: String {
        let name = typeCode.map(PathAttributeType.name) ?? "path attributes"
        return "\(name): \(problem) (\(action == .attributeDiscard ? "attribute discard" : "treat-as-withdraw"))"
    }
}
