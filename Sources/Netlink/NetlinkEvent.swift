/// A change the kernel announced on an rtnetlink multicast group.
public enum NetlinkEvent: Sendable, Equatable {
    /// A route was added or changed.
    case routeAdded(Route)
    /// A route was deleted.
    case routeDeleted(Route)
    /// A link appeared or changed.
    case linkChanged(Link)
    /// A link was deleted.
    case linkDeleted(Link)
    /// An address was added.
    case addressAdded(InterfaceAddress)
    /// An address was deleted.
    case addressDeleted(InterfaceAddress)
    /// The socket overflowed and events were lost: a consumer must re-read the kernel's state.
    case overrun
}

/// The rtnetlink multicast groups a monitor can join.
public enum NetlinkEventGroup: UInt32, Sendable, CaseIterable {
    case link = 1
    case ipv4Address = 5
    case ipv4Route = 7
    case ipv6Address = 9
    case ipv6Route = 11
}
