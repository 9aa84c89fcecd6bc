import Addresses
import IPVS
import Netlink
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// IPVS and a dummy link in memory, following the kernel's rules, for unit tests.
///
/// Adding an existing service or real server fails with EEXIST, changing a missing one with
/// ESRCH, as the kernel does; every operation counts as one write.
public final class InMemoryServiceKernel: ServiceKernel {
    private struct State {
        var services: [IPVSServiceKey: ObservedVirtualService] = [:]
        var vips: Set<IPAddress> = []
        var writes = 0
        var masquerade: MasqueradeState?
    }

    private let state = Mutex(State())

    /// An empty kernel, or one holding `services` (made "by hand").
    public init(services: [IPVSServiceKey: ObservedVirtualService] = [:]) {
        state.withLock { $0.services = services }
    }

    public func prepare() async throws {}

    public func virtualServices() async throws -> [IPVSServiceKey: ObservedVirtualService] {
        state.withLock { $0.services }
    }

    public func virtualServices(_ keys: [IPVSServiceKey]) async throws -> [IPVSServiceKey: ObservedVirtualService] {
        state.withLock { state in state.services.filter { keys.contains($0.key) } }
    }

    public func apply(_ operations: [IPVSOperation]) async throws -> [Int: NetlinkError] {
        state.withLock { state in
            var failures: [Int: NetlinkError] = [:]
            for (index, operation) in operations.enumerated() {
                state.writes += 1
                if let code = Self.apply(operation, to: &state.services) {
                    failures[index] = NetlinkError(operation: operation.description, errno: code)
                }
            }
            return failures
        }
    }

    public func boundVIPs() async throws -> Set<IPAddress> { state.withLock { $0.vips } }

    public func bindVIPs(adding: Set<IPAddress>, removing: Set<IPAddress>) async throws {
        state.withLock { $0.vips = $0.vips.union(adding).subtracting(removing) }
    }

    public var ipvsWritesSent: Int { state.withLock { $0.writes } }

    public func syncMasquerade(_ wanted: MasqueradeState) async throws -> Int {
        state.withLock { state in
            guard state.masquerade != wanted else { return 0 }
            state.masquerade = wanted
            return 1
        }
    }

    public func updateMasquerade(adding: Set<NetfilterMember>, removing: Set<NetfilterMember>) async throws -> Int {
        state.withLock { state in
            guard state.masquerade != nil else { return 0 }
            state.masquerade!.apply(adding: adding, removing: removing)
            return removing.count + adding.count
        }
    }

    /// The VIPs bound now, read without waiting.
    public var vips: Set<IPAddress> { state.withLock { $0.vips } }

    /// The masquerade state last synced.
    public var masquerade: MasqueradeState? { state.withLock { $0.masquerade } }

    /// Sets a real server's connection counts, as traffic would.
    public func setConnections(_ reference: RealServerReference, active: UInt32, inactive: UInt32 = 0) {
        state.withLock { state in
            guard
                let index = state.services[reference.service]?.realServers.firstIndex(where: {
                    $0.server.address == reference.address && $0.server.port == reference.port
                })
            else { return }
            state.services[reference.service]!.realServers[index].activeConnections = active
            state.services[reference.service]!.realServers[index].inactiveConnections = inactive
        }
    }

    /// The services held now.
    public var snapshot: [IPVSServiceKey: ObservedVirtualService] { state.withLock { $0.services } }

    private static func apply(
        _ operation: IPVSOperation, to services: inout [IPVSServiceKey: ObservedVirtualService]
    )
        -> Int32?
    {
        func index(_ key: IPVSServiceKey, _ address: IPAddress, _ port: UInt16) -> Int? {
            services[key]?.realServers.firstIndex { $0.server.address == address && $0.server.port == port }
        }
        switch operation {
        case .addService(let service):
            guard services[service.key] == nil else { return EEXIST }
            services[service.key] = ObservedVirtualService(service: service, realServers: [])
        case .updateService(let service):
            guard services[service.key] != nil else { return ESRCH }
            services[service.key]!.service = service
        case .deleteService(let key):
            guard services.removeValue(forKey: key) != nil else { return ESRCH }
        case .addRealServer(let key, let server):
            guard services[key] != nil else { return ESRCH }
            guard index(key, server.address, server.port) == nil else { return EEXIST }
            services[key]!.realServers.append(
                IPVSObservedRealServer(
                    server: server, activeConnections: 0, inactiveConnections: 0, persistentConnections: 0,
                    statistics: IPVSStatistics()))
        case .updateRealServer(let key, let server):
            guard let found = index(key, server.address, server.port) else { return ESRCH }
            services[key]!.realServers[found].server = server
        case .deleteRealServer(let key, let address, let port):
            guard let found = index(key, address, port) else { return ESRCH }
            services[key]!.realServers.remove(at: found)
        }
        return nil
    }
}
