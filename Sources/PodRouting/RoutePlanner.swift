import Netlink

/// Computes the minimal operations that turn the kernel's owned routes into the desired ones.
///
/// Pure: it sees the desired routes and the routes the kernel holds, and returns operations.
/// It only ever deletes or replaces a route that the settings say Rudder owns.
public enum RoutePlanner {
    /// Plans the whole desired set against the observed routes (any protocol, any table).
    public static func plan(desired: [Route], observed: [Route], settings: PodRoutingSettings) -> RoutePlan {
        var owned: [RouteKey: Route] = [:]
        var foreign: [RouteKey: Route] = [:]
        for route in observed {
            if settings.owns(route) {
                owned[route.key] = route
            } else {
                foreign[route.key] = route
            }
        }
        var desiredKeys = Set<RouteKey>()
        var plan = RoutePlan()
        var adds: [RouteOperation] = []
        var replaces: [RouteOperation] = []
        for route in desired {
            desiredKeys.insert(route.key)
            switch step(desired: route, owned: owned[route.key], foreign: foreign[route.key]) {
            case .some(.add(let route)): adds.append(.add(route))
            case .some(.replace(let route)): replaces.append(.replace(route))
            case .some(.delete): break
            case nil where foreign[route.key] != nil && owned[route.key] == nil: plan.conflicts.append(route)
            case nil: break
            }
        }
        let deletes = owned.values.filter { !desiredKeys.contains($0.key) }.sorted { $0.key < $1.key }.map(
            RouteOperation.delete)
        plan.operations = deletes + replaces + adds
        return plan
    }

    /// Plans one key: what to do about a desired route (or its absence) given what holds its key.
    ///
    /// The reconciler uses this to repair a single route from one kernel event, without a dump.
    public static func step(desired: Route?, owned: Route?, foreign: Route?) -> RouteOperation? {
        switch (desired, owned) {
        case (nil, nil): return nil
        case (nil, let owned?): return .delete(owned)
        case (let desired?, nil): return foreign == nil ? .add(desired) : nil
        case (let desired?, let owned?): return desired == owned ? nil : .replace(desired)
        }
    }
}
