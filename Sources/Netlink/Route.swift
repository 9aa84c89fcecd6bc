import Addresses

/// A kernel route as Rudder reads and writes it: one destination, one or more next hops.
public struct Route: Hashable, Sendable, CustomStringConvertible {
    /// The destination prefix.
    public var destination: IPPrefix
    /// The routing table id (254 is main).
    public var table: UInt32
    /// The route protocol number (rtm_protocol); Rudder owns the routes carrying its own.
    public var protocolNumber: UInt8
    /// The scope (0 universe, 253 link).
    public var scope: UInt8
    /// The metric (priority); IPv6 routes default to 1024 in the kernel.
    public var metric: UInt32
    /// The route type (1 unicast).
    public var type: UInt8
    /// Next hops; more than one makes an ECMP route.
    public var nextHops: [NextHop]
    /// RTA_PREFSRC: the source address for traffic the node itself sends along this route.
    public var preferredSource: IPAddress?

    /// The main table.
    public static let mainTable: UInt32 = 254
    /// Universe scope, for routes through a gateway.
    public static let scopeUniverse: UInt8 = 0
    /// Link scope, for routes straight onto a link.
    public static let scopeLink: UInt8 = 253
    /// Unicast route type.
    public static let typeUnicast: UInt8 = 1
    /// Local route type: the destination is an address of this host.
    public static let typeLocal: UInt8 = 2
    /// Host scope, for local routes.
    public static let scopeHost: UInt8 = 254
    /// The local table, where the kernel keeps routes to the host's own addresses.
    public static let localTable: UInt32 = 255

    /// A route; next hops are kept sorted so that equal routes compare equal.
    public init(
        destination: IPPrefix, table: UInt32 = Route.mainTable, protocolNumber: UInt8,
        scope: UInt8 = Route.scopeUniverse,
        metric: UInt32? = nil, type: UInt8 = Route.typeUnicast, nextHops: [NextHop], preferredSource: IPAddress? = nil
    ) {
        self.destination = destination
        self.table = table
        self.protocolNumber = protocolNumber
        self.scope = scope
        self.metric = metric ?? Route.defaultMetric(for: destination.family)
        self.type = type
        self.nextHops = nextHops.sorted()
        self.preferredSource = preferredSource
    }

    /// The metric the kernel gives a route that names none.
    public static func defaultMetric(for family: AddressFamily) -> UInt32 { family == .ipv4 ? 0 : 1024 }

    /// The family of the destination.
    public var family: AddressFamily { destination.family }

    /// What identifies a route in the kernel: two routes with the same key cannot coexist.
    public var key: RouteKey { RouteKey(table: table, destination: destination, metric: metric) }

    public var description: String {
        var text = "\(destination)"
        for hop in nextHops {
            if nextHops.count > 1 { text += " nexthop" }
            if let gateway = hop.gateway { text += " via \(gateway)" }
            if hop.linkIndex != 0 { text += " dev#\(hop.linkIndex)" }
            if hop.onlink { text += " onlink" }
            if nextHops.count > 1 { text += " weight \(hop.weight)" }
        }
        if let preferredSource { text += " src \(preferredSource)" }
        text += " table \(table) proto \(protocolNumber) metric \(metric)"
        return text
    }
}

/// The kernel's identity of a route: table, destination and metric.
public struct RouteKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The routing table id.
    public var table: UInt32
    /// The destination prefix.
    public var destination: IPPrefix
    /// The metric.
    public var metric: UInt32

    /// A key from its parts.
    public init(table: UInt32, destination: IPPrefix, metric: UInt32) {
        self.table = table
        self.destination = destination
        self.metric = metric
    }

    public var description: String { "\(destination) table \(table) metric \(metric)" }

    public static func < (lhs: RouteKey, rhs: RouteKey) -> Bool {
        (lhs.table, lhs.destination, lhs.metric) < (rhs.table, rhs.destination, rhs.metric)
    }
}

/// One next hop of a route.
public struct NextHop: Hashable, Sendable, Comparable {
    /// The gateway, or nil for a route straight onto the link.
    public var gateway: IPAddress?
    /// The outgoing link's index, or 0 to let the kernel choose.
    public var linkIndex: Int32
    /// RTNH_F_ONLINK: trust that the gateway is on the link without a connected route.
    public var onlink: Bool
    /// The ECMP weight, 1...256.
    public var weight: Int

    /// A next hop.
    public init(gateway: IPAddress?, linkIndex: Int32 = 0, onlink: Bool = false, weight: Int = 1) {
        self.gateway = gateway
        self.linkIndex = linkIndex
        self.onlink = onlink
        self.weight = weight
    }

    public static func < (lhs: NextHop, rhs: NextHop) -> Bool {
        switch (lhs.gateway, rhs.gateway) {
        case (nil, .some): return true
        case (.some, nil): return false
        case (let left?, let right?) where left != right: return left < right
        default: break
        }
        if lhs.linkIndex != rhs.linkIndex { return lhs.linkIndex < rhs.linkIndex }
        if lhs.weight != rhs.weight { return lhs.weight < rhs.weight }
        return !lhs.onlink && rhs.onlink
    }
}

/// A change to the kernel's routes.
public enum RouteOperation: Hashable, Sendable, CustomStringConvertible {
    /// Create a route that does not exist (NLM_F_CREATE | NLM_F_EXCL).
    case add(Route)
    /// Replace the route with the same key (NLM_F_CREATE | NLM_F_REPLACE).
    case replace(Route)
    /// Delete the route with this key and protocol.
    case delete(Route)

    /// The route the operation is about.
    public var route: Route {
        switch self {
        case .add(let route), .replace(let route), .delete(let route): route
        }
    }

    public var description: String {
        switch self {
        case .add(let route): "add route \(route)"
        case .replace(let route): "replace route \(route)"
        case .delete(let route): "delete route \(route)"
        }
    }
}
