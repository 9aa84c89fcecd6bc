import Addresses

/// One change to the kernel's IPVS table.
public enum IPVSOperation: Hashable, Sendable, CustomStringConvertible {
    /// Creates a virtual service (EEXIST when it exists).
    case addService(IPVSVirtualService)
    /// Changes an existing service's scheduler, flags, persistence and netmask (ESRCH when missing).
    case updateService(IPVSVirtualService)
    /// Deletes a service and its real servers.
    case deleteService(IPVSServiceKey)
    /// Adds a real server to an existing service.
    case addRealServer(IPVSServiceKey, IPVSRealServer)
    /// Changes a real server's forwarding, weight and thresholds.
    case updateRealServer(IPVSServiceKey, IPVSRealServer)
    /// Removes a real server, identified by address and port, from a service.
    case deleteRealServer(IPVSServiceKey, address: IPAddress, port: UInt16)

    /// The service the operation concerns.
    public var serviceKey: IPVSServiceKey {
        switch self {
        case .addService(let service), .updateService(let service): service.key
        case .deleteService(let key), .addRealServer(let key, _), .updateRealServer(let key, _),
            .deleteRealServer(let key, _, _):
            key
        }
    }

    /// Names the object, for error messages: "add IPVS real server 10.0.0.1:53 to TCP 10.96.0.10:53".
    public var description: String {
        switch self {
        case .addService(let service): "add IPVS service \(service)"
        case .updateService(let service): "update IPVS service \(service)"
        case .deleteService(let key): "delete IPVS service \(key)"
        case .addRealServer(let key, let server): "add IPVS real server \(server) to \(key)"
        case .updateRealServer(let key, let server): "update IPVS real server \(server) of \(key)"
        case .deleteRealServer(let key, let address, let port):
            "delete IPVS real server \(IPVSServiceKey.endpoint(address, port)) from \(key)"
        }
    }
}
