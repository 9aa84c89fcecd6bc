import Netlink
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A route table in memory that follows the kernel's rules, for unit tests of planners and controllers.
///
/// It refuses an add whose key exists (EEXIST), deletes only a route whose protocol matches
/// (ESRCH otherwise), emits the events the kernel would, and counts writes.
public final class InMemoryRouteKernel: RouteKernel {
    private struct State {
        var routes: [RouteKey: Route] = [:]
        var addresses: [InterfaceAddress] = []
        var writes = 0
        var listeners: [AsyncStream<NetlinkEvent>.Continuation] = []
    }

    private let state = Mutex(State())

    /// An empty table with the given addresses on its links.
    public init(addresses: [InterfaceAddress] = [], routes: [Route] = []) {
        state.withLock { state in
            state.addresses = addresses
            for route in routes { state.routes[route.key] = route }
        }
    }

    public func routes() async throws -> [Route] { state.withLock { Array($0.routes.values) } }

    public func addresses() async throws -> [InterfaceAddress] { state.withLock { $0.addresses } }

    public func apply(_ operations: [RouteOperation]) async throws -> RouteApplyResult {
        var result = RouteApplyResult()
        for (index, operation) in operations.enumerated() {
            let event: NetlinkEvent? = state.withLock { state in
                state.writes += 1
                let route = operation.route
                switch operation {
                case .add:
                    if state.routes[route.key] != nil {
                        result.failures[index] = NetlinkError(operation: operation.description, errno: EEXIST)
                        return nil
                    }
                    state.routes[route.key] = route
                    return .routeAdded(route)
                case .replace:
                    state.routes[route.key] = route
                    return .routeAdded(route)
                case .delete:
                    guard let existing = state.routes[route.key], existing.protocolNumber == route.protocolNumber else {
                        result.failures[index] = NetlinkError(operation: operation.description, errno: ESRCH)
                        return nil
                    }
                    state.routes[route.key] = nil
                    return .routeDeleted(existing)
                }
            }
            if let event { emit(event) }
        }
        return result
    }

    public func events() throws -> AsyncStream<NetlinkEvent> {
        let (stream, continuation) = AsyncStream<NetlinkEvent>.makeStream()
        state.withLock { $0.listeners.append(continuation) }
        return stream
    }

    public var writesSent: Int { state.withLock { $0.writes } }

    /// Changes the table as another program would: no write is counted, events are emitted.
    public func externally(add route: Route) {
        state.withLock { $0.routes[route.key] = route }
        emit(.routeAdded(route))
    }

    /// Deletes a route as another program would.
    public func externally(delete key: RouteKey) {
        guard let removed = state.withLock({ $0.routes.removeValue(forKey: key) }) else { return }
        emit(.routeDeleted(removed))
    }

    /// The routes held now, sorted by key.
    public var snapshot: [Route] { state.withLock { $0.routes.values.sorted { $0.key < $1.key } } }

    private func emit(_ event: NetlinkEvent) {
        for listener in state.withLock({ $0.listeners }) { listener.yield(event) }
    }
}
