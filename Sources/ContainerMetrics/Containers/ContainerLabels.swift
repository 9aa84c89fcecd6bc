/// The names a container's series carry: namespace, pod, container and container ID.
public struct ContainerLabels: Sendable, Equatable {
    /// The pod's namespace; empty when unknown.
    public var namespace: String
    /// The pod's name; without Kubernetes, `pod` and the pod UID from the cgroup path.
    public var pod: String
    /// The container's name; without Kubernetes, the start of its ID. Empty for a pod's own cgroup.
    public var container: String
    /// The container ID, with the runtime's scheme where known (`containerd://…`), as
    /// kube-state-metrics' `kube_pod_container_info` has it.
    public var containerID: String

    /// Labels as given.
    public init(namespace: String, pod: String, container: String, containerID: String) {
        self.namespace = namespace
        self.pod = pod
        self.container = container
        self.containerID = containerID
    }

    /// What the cgroup path alone tells, for a node without the Pod informer.
    public init(pathOnly container: DiscoveredContainer) {
        let id = container.containerID ?? ""
        namespace = ""
        switch container.kind {
        case .plain:
            pod = ""
            self.container = container.cgroupPath
        case .pod:
            pod = container.podUID.map { "pod" + $0 } ?? ""
            self.container = ""
        case .container, .sandbox:
            pod = container.podUID.map { "pod" + $0 } ?? ""
            self.container = String(id.prefix(12))
        }
        containerID = Self.schemed(id, runtime: container.runtime)
    }

    /// The ID with the runtime's URI scheme, as the Pod status writes it.
    public static func schemed(_ id: String, runtime: ContainerRuntime) -> String {
        guard !id.isEmpty else { return "" }
        switch runtime {
        case .containerd: return "containerd://" + id
        case .crio: return "cri-o://" + id
        case .docker: return "docker://" + id
        case .unknown, .none: return id
        }
    }

    /// As Prometheus labels, in a fixed order.
    public var prometheus: PrometheusText.Labels {
        ["namespace": namespace, "pod": pod, "container": container, "container_id": containerID]
    }
}
