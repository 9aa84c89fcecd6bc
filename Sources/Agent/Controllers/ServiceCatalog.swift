import Kubernetes
import ServiceProxy

/// The Services and EndpointSlices the agent knows, joined by Service name. Pure value.
///
/// Each Service or EndpointSlice change names the one Service it affects, so only that Service
/// is translated again and handed to the proxy.
public struct ServiceCatalog: Sendable {
    /// How Services become the proxy's model.
    public private(set) var translator: KubernetesServiceTranslator
    private var services: [ServiceName: Service] = [:]
    private var slices: [ServiceName: [String: EndpointSlice]] = [:]

    /// An empty catalog.
    public init(translator: KubernetesServiceTranslator) {
        self.translator = translator
    }

    /// Records a Service as it is now (nil: deleted) and returns its name.
    @discardableResult
    public mutating func set(service: Service?, name: ServiceName) -> ServiceName {
        services[name] = service
        return name
    }

    /// Records an EndpointSlice as it is now (nil: deleted); returns the Service it belongs to, if any.
    ///
    /// A slice is keyed by its own name and found by its `kubernetes.io/service-name` label; a
    /// slice without the label belongs to no Service and is not kept.
    @discardableResult
    public mutating func set(slice: EndpointSlice?, previous: EndpointSlice?) -> [ServiceName] {
        var affected: [ServiceName] = []
        if let previous, let owner = Self.owner(of: previous) {
            slices[owner]?[previous.metadata.name] = nil
            if slices[owner]?.isEmpty == true { slices[owner] = nil }
            affected.append(owner)
        }
        if let slice, let owner = Self.owner(of: slice) {
            slices[owner, default: [:]][slice.metadata.name] = slice
            if !affected.contains(owner) { affected.append(owner) }
        }
        return affected
    }

    /// The Service a slice belongs to, by its label.
    public static func owner(of slice: EndpointSlice) -> ServiceName? {
        guard let service = slice.serviceName, !service.isEmpty else { return nil }
        return ServiceName(namespace: slice.metadata.namespace ?? "default", name: service)
    }

    /// Sets this node's zone; returns every Service when it changed (their hints read differently).
    public mutating func set(zone: String?) -> [ServiceName] {
        guard zone != translator.zone else { return [] }
        translator.zone = zone
        return Array(services.keys)
    }

    /// The translation of one Service; `.ignored` when there is no such Service.
    public func translation(of name: ServiceName) -> KubernetesServiceTranslator.Translation {
        guard let service = services[name] else { return .ignored(reason: "no such Service") }
        return translator.translate(
            service, slices: (slices[name] ?? [:]).values.sorted { $0.metadata.name < $1.metadata.name })
    }

    /// The Services that EndpointSlices name but that are not known.
    public var orphans: [ServiceName] {
        slices.keys.filter { services[$0] == nil }.sorted()
    }

    /// Whether EndpointSlices name `name` as their Service while no such Service is known.
    public func hasOrphanSlices(_ name: ServiceName) -> Bool {
        services[name] == nil && !(slices[name]?.isEmpty ?? true)
    }

    /// Every Service's translation, by name.
    public var translations: [ServiceName: KubernetesServiceTranslator.Translation] {
        var result: [ServiceName: KubernetesServiceTranslator.Translation] = [:]
        for name in services.keys { result[name] = translation(of: name) }
        return result
    }

    /// How many Services and EndpointSlices are known.
    public var counts: (services: Int, slices: Int) {
        (services.count, slices.values.reduce(0) { $0 + $1.count })
    }
}
