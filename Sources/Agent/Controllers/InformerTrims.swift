import Kubernetes
import KubernetesModel

/// What the agent keeps of each object its informers cache: the fields it reads, nothing else.
///
/// A cluster's objects carry much the agent never reads: `managedFields`, kubectl's
/// last-applied copy of the whole object, owner references, every endpoint's `targetRef` and
/// zone. Trimmed before they are cached, 10,000 Services with 10,000 EndpointSlices take a
/// fraction of the memory (docs/benchmarks.md).
enum InformerTrims {
    /// A Service: labels that pick the proxy, kube-router's annotations, the legacy source-range
    /// annotation, and the spec and status.
    @Sendable static func service(_ service: KubernetesModel.Service) -> KubernetesModel.Service {
        var trimmed = service
        trimmed.metadata = trim(
            service.metadata,
            labels: [KubernetesServiceTranslator.serviceProxyNameLabel, KubernetesServiceTranslator.headlessLabel],
            annotationPrefix: "kube-router.io/")
        let ranges = KubernetesServiceTranslator.sourceRangesAnnotation
        trimmed.metadata.annotations[ranges] = service.metadata.annotations[ranges]
        trimmed.spec.selector = [:]
        return trimmed
    }

    /// An EndpointSlice: the Service it belongs to, and each endpoint's first address, conditions,
    /// node and topology hints.
    @Sendable static func endpointSlice(_ slice: EndpointSlice) -> EndpointSlice {
        var trimmed = slice
        trimmed.metadata = trim(slice.metadata, labels: [EndpointSlice.serviceNameLabel], annotationPrefix: nil)
        trimmed.endpoints = slice.endpoints.map { endpoint in
            EndpointSliceEndpoint(
                addresses: endpoint.address.map { [$0] } ?? [], conditions: endpoint.conditions,
                nodeName: endpoint.nodeName, hints: endpoint.hints)
        }
        return trimmed
    }

    /// A Node: its pod CIDRs, addresses, zone, and the kube-router annotations BGP will read.
    @Sendable static func node(_ node: Node) -> Node {
        var trimmed = node
        trimmed.metadata = trim(
            node.metadata, labels: [KubernetesServiceTranslator.zoneLabel], annotationPrefix: "kube-router.io/")
        return trimmed
    }

    /// A Pod: its name, namespace and UID, and each container's name and ID (for metrics labels).
    @Sendable static func pod(_ pod: Pod) -> Pod {
        var trimmed = pod
        trimmed.metadata = trim(pod.metadata, labels: [], annotationPrefix: nil)
        trimmed.metadata.uid = pod.metadata.uid
        trimmed.spec.containers = []
        trimmed.status.podIPs = []
        return trimmed
    }

    private static func trim(_ metadata: ObjectMeta, labels: [String], annotationPrefix: String?) -> ObjectMeta {
        var kept = ObjectMeta(
            name: metadata.name, namespace: metadata.namespace, resourceVersion: metadata.resourceVersion)
        for label in labels { kept.labels[label] = metadata.labels[label] }
        if let annotationPrefix {
            kept.annotations = metadata.annotations.filter { $0.key.hasPrefix(annotationPrefix) }
        }
        kept.deletionTimestamp = metadata.deletionTimestamp
        return kept
    }
}
