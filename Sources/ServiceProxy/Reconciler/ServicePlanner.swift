import IPVS

/// Plans the minimal IPVS operations for a set of virtual-service keys. Pure.
///
/// Only keys in `owned` may be changed; a desired key held by a service Rudder does not own is
/// a conflict. A real server that is no longer wanted is drained, as kube-proxy's graceful
/// termination does: its weight drops to 0 so it gets no new connections, and it is deleted
/// once it has no active or inactive connections, or when its grace period has ended
/// (`expired`). UDP real servers are deleted at once.
public enum ServicePlanner {
    /// Plans `keys` (default: every desired and observed key).
    public static func plan(
        desired: [IPVSServiceKey: DesiredVirtualService], observed: [IPVSServiceKey: ObservedVirtualService],
        owned: Set<IPVSServiceKey>, keys: [IPVSServiceKey]? = nil, expired: Set<RealServerReference> = []
    ) -> IPVSPlan {
        var plan = IPVSPlan()
        let scope = keys.map { Array(Set($0)) } ?? Array(Set(desired.keys).union(observed.keys))
        for key in scope.sorted() {
            let wanted = desired[key]
            guard let seen = observed[key] else {
                if let wanted {
                    plan.operations.append(.addService(wanted.service))
                    plan.operations += wanted.realServers.map { .addRealServer(key, $0) }
                }
                continue
            }
            guard owned.contains(key) else {
                if wanted != nil { plan.conflicts.append(key) }
                continue
            }
            guard let wanted else {
                plan.operations.append(.deleteService(key))
                continue
            }
            if seen.service != wanted.service { plan.operations.append(.updateService(wanted.service)) }
            planRealServers(key, wanted: wanted.realServers, seen: seen.realServers, expired: expired, into: &plan)
        }
        return plan
    }

    private static func isUDP(_ key: IPVSServiceKey) -> Bool {
        if case .address(.udp, _, _) = key { return true }
        return false
    }

    private static func planRealServers(
        _ key: IPVSServiceKey, wanted: [IPVSRealServer], seen: [IPVSObservedRealServer],
        expired: Set<RealServerReference>, into plan: inout IPVSPlan
    ) {
        var seenByEndpoint: [RealServerReference: IPVSObservedRealServer] = [:]
        for server in seen {
            seenByEndpoint[
                RealServerReference(service: key, address: server.server.address, port: server.server.port)] =
                server
        }
        var wantedReferences = Set<RealServerReference>()
        for server in wanted {
            let reference = RealServerReference(service: key, address: server.address, port: server.port)
            wantedReferences.insert(reference)
            if let current = seenByEndpoint[reference] {
                if current.server != server { plan.operations.append(.updateRealServer(key, server)) }
            } else {
                plan.operations.append(.addRealServer(key, server))
            }
        }
        let leaving = seenByEndpoint.filter { !wantedReferences.contains($0.key) }.sorted {
            ($0.key.address, $0.key.port) < ($1.key.address, $1.key.port)
        }
        for (reference, server) in leaving {
            let connections = server.activeConnections + server.inactiveConnections
            // UDP "connections" are only IPVS entries that idle for minutes: draining would keep a
            // gone endpoint for the whole grace period, so UDP real servers go at once, as in
            // kube-proxy (expire_nodest_conn then drops their entries).
            if connections == 0 || expired.contains(reference) || isUDP(key) {
                plan.operations.append(.deleteRealServer(key, address: reference.address, port: reference.port))
                continue
            }
            plan.draining.insert(reference)
            if server.server.weight != 0 {
                var drained = server.server
                drained.weight = 0
                plan.operations.append(.updateRealServer(key, drained))
            }
        }
    }
}
