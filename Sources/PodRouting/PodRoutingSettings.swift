import Netlink

/// How pod routes are written: the protocol that marks them as Rudder's, the table and metric.
public struct PodRoutingSettings: Hashable, Sendable {
    /// The route protocol number Rudder owns.
    ///
    /// 44 is unassigned in the kernel's and iproute2's lists and unused by kube-router (17 for
    /// its BGP routes), BIRD (12), FRR (11, 186-198) and systemd-networkd (3, 4, 9, 16).
    public static let rudderProtocol: UInt8 = 44

    /// The protocol number that marks Rudder's routes.
    public var protocolNumber: UInt8
    /// The table pod routes live in; Rudder owns only its protocol's routes in this table.
    public var table: UInt32
    /// The metric, or nil for the kernel's default of the family.
    public var metric: UInt32?

    /// Settings with defaults: protocol 44 ("rudder"), the main table, the default metric.
    public init(
        protocolNumber: UInt8 = PodRoutingSettings.rudderProtocol, table: UInt32 = Route.mainTable,
        metric: UInt32? = nil
    ) {
        self.protocolNumber = protocolNumber
        self.table = table
        self.metric = metric
    }

    /// Whether a kernel route belongs to Rudder under these settings.
    public func owns(_ route: Route) -> Bool {
        route.protocolNumber == protocolNumber && route.table == table
    }
}
