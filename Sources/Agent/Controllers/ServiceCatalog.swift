import Kubernetes
import KubernetesModel
import ServiceProxy

/// The Services and EndpointSlices the agent knows, joined by Service name. Pure value.
///
/// Each Service or EndpointSlice change names the one Service it affects, so only that Service
/// is translated again and handed to the proxy.
public struct ServiceCatalog: Sendable {
    /// How Services become the proxy's model.
    public private(set) var translator: KubernetesServiceTranslator
    private var join = InformerJoin<ServiceName, Service, EndpointSlice>(
        parentKey: ServiceCatalog.owner(of:), childName: { $0.metadata.name })

    /// An empty catalog.
    public init(translator: KubernetesServiceTranslator) {
        self.translator = translator
    }

    /// Records a Service as it is now (nil: deleted) and returns its name.
    @discardableResult
    public mutating func set(service: Service?, name: ServiceName) -> ServiceName {
        join.set(parent: service, key: name)
    }

    /// Records an EndpointSlice as it is now (nil: deleted); returns the Service it belongs to, if any.
    ///
    /// A slice is keyed by its own name and found by its `kubernetes.io/service-name` label; a
    /// slice without the label belongs to no Service and is not kept.
    @discardableResult
    public mutating func set(slice: EndpointSlice?, previous: EndpointSlice?) -> [ServiceName] {
        join.set(child: slice, previous: previous)
    }

    /// The Service a slice belongs to, by its label.
    @Sendable public static func owner(of slice: EndpointSlice) -> ServiceName? {
        guard let service = slice.serviceName, !service.isEmpty else { return nil }
        return ServiceName(namespace: slice.metadata.namespace ?? "default", name: service)
    }

    /// Sets this node's zone; returns every Service when it changed (their hints read differently).
    public mutating func set(zone: String?) -> [ServiceName] {
        guard zone != translator.zone else { return [] }
        translator.zone = zone
        return Array(join.parentKeys)
    }

    /// The translation of one Service; `.ignored` when there is no such Service.
    public func translation(of name: ServiceName) -> KubernetesServiceTranslator.Translation {
        guard let service = join.parent(name) else { return .ignored(reason: "no such Service") }
        return translator.translate(service, slices: join.children(of: name))
    }

    /// The Services that EndpointSlices name but that are not known.
    public var orphans: [ServiceName] { join.orphanKeys }

    /// Whether EndpointSlices name `name` as their Service while no such Service is known.
    public func hasOrphanSlices(_ name: ServiceName) -> Bool {
        join.parent(name) == nil && join.hasChildren(name)
    }

    /// Every Service's translation, by name.
    public var translations: [ServiceName: KubernetesServiceTranslator.Translation] {
        var result: [ServiceName: KubernetesServiceTranslator.Translation] = [:]
        for name in join.parentKeys { result[name] = translation(of: name) }
        return result
    }

    /// How many Services and EndpointSlices are known.
    public var counts: (services: Int, slices: Int) {
        let counts = join.counts
        return (counts.parents, counts.children)
    }
}
