/// A virtual service as read from the kernel, with its real servers.
public struct ObservedVirtualService: Hashable, Sendable {
    /// The service.
    public var service: IPVSVirtualService
    /// Its real servers with their connection counts.
    public var realServers: [IPVSObservedRealServer]

    /// An observed service.
    public init(service: IPVSVirtualService, realServers: [IPVSObservedRealServer]) {
        self.service = service
        self.realServers = realServers
    }
}
