import Netlink

/// What a planner decided: the kernel operations, and the routes it must leave alone.
public struct RoutePlan: Hashable, Sendable {
    /// Operations in order: deletes first, then replaces, then adds.
    public var operations: [RouteOperation]
    /// Desired routes whose key is held by a route Rudder does not own; left untouched.
    public var conflicts: [Route]

    /// A plan value.
    public init(operations: [RouteOperation] = [], conflicts: [Route] = []) {
        self.operations = operations
        self.conflicts = conflicts
    }

    /// Whether the plan changes nothing.
    public var isEmpty: Bool { operations.isEmpty }
}
