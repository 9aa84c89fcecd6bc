import Addresses

/// One backend of a Service, with the conditions EndpointSlices carry.
public struct ServiceEndpoint: Hashable, Sendable {
    /// The endpoint's address.
    public var address: IPAddress
    /// Ports by service port name; a port missing here uses the service port's targetPort.
    public var ports: [String: Int]
    /// Whether the endpoint runs on this node (for the Local traffic policies).
    public var isLocal: Bool
    /// EndpointSlice `ready`.
    public var ready: Bool
    /// EndpointSlice `serving`: able to serve, even while terminating.
    public var serving: Bool
    /// EndpointSlice `terminating`.
    public var terminating: Bool
    /// Whether the endpoint's node hints (`hints.forNodes`) name this node; nil when it has none.
    public var hintedForThisNode: Bool?
    /// Whether the endpoint's zone hints (`hints.forZones`) name this node's zone; nil when it has none.
    public var hintedForThisZone: Bool?

    /// An endpoint; by default ready and serving, not terminating, not local.
    public init(
        address: IPAddress, ports: [String: Int] = [:], isLocal: Bool = false, ready: Bool = true, serving: Bool? = nil,
        terminating: Bool = false, hintedForThisNode: Bool? = nil, hintedForThisZone: Bool? = nil
    ) {
        self.address = address
        self.ports = ports
        self.isLocal = isLocal
        self.ready = ready
        self.serving = serving ?? ready
        self.terminating = terminating
        self.hintedForThisNode = hintedForThisNode
        self.hintedForThisZone = hintedForThisZone
    }
}
