import IPVS

/// One IPVS virtual service as a Service wants it: the service and its real servers.
public struct DesiredVirtualService: Hashable, Sendable {
    /// The virtual service.
    public var service: IPVSVirtualService
    /// Its real servers, sorted by address and port.
    public var realServers: [IPVSRealServer]

    /// A desired virtual service; real servers are sorted so that equal sets compare equal.
    public init(service: IPVSVirtualService, realServers: [IPVSRealServer]) {
        self.service = service
        self.realServers = realServers.sorted { ($0.address, $0.port) < ($1.address, $1.port) }
    }
}
