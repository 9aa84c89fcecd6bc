import ContainerMetrics
import Testing

@Suite("Container labels from the cgroup path alone")
struct ContainerLabelsTests {
    static let uid = "3b6f2a1c-8d4e-4f5a-9b7c-1d2e3f4a5b6c"
    static let id = String(repeating: "0123456789abcdef", count: 4)

    static func container(
        _ kind: ContainerCgroupKind, _ runtime: ContainerRuntime, path: String = "/x"
    )
        -> DiscoveredContainer
    {
        DiscoveredContainer(
            cgroupPath: path, directory: "/sys/fs/cgroup/memory" + path, kind: kind,
            podUID: kind == .plain ? nil : uid, containerID: kind == .container || kind == .sandbox ? id : nil,
            runtime: runtime, qos: kind == .plain ? nil : .burstable)
    }

    @Test(
        "a container's ID carries its runtime's scheme, as the Pod status writes it",
        arguments: [
            (ContainerRuntime.containerd, "containerd://"), (.crio, "cri-o://"), (.docker, "docker://"),
            (.unknown, ""), (.none, ""),
        ])
    func containers(runtime: ContainerRuntime, scheme: String) {
        let labels = ContainerLabels(pathOnly: Self.container(.container, runtime))
        #expect(
            labels
                == ContainerLabels(
                    namespace: "", pod: "pod" + Self.uid, container: "0123456789ab", containerID: scheme + Self.id))
        #expect(ContainerLabels.schemed(Self.id, runtime: runtime) == scheme + Self.id)
        #expect(ContainerLabels.schemed("", runtime: runtime) == "")
    }

    @Test("a sandbox is named like a container; a pod has no container; a plain cgroup is its path")
    func otherKinds() {
        #expect(
            ContainerLabels(pathOnly: Self.container(.sandbox, .crio))
                == ContainerLabels(
                    namespace: "", pod: "pod" + Self.uid, container: "0123456789ab", containerID: "cri-o://" + Self.id))
        #expect(
            ContainerLabels(pathOnly: Self.container(.pod, .unknown))
                == ContainerLabels(namespace: "", pod: "pod" + Self.uid, container: "", containerID: ""))
        #expect(
            ContainerLabels(pathOnly: Self.container(.plain, .none, path: "/batch/job-7"))
                == ContainerLabels(namespace: "", pod: "", container: "/batch/job-7", containerID: ""))
    }

    @Test("as Prometheus labels: namespace, pod, container, container_id, in that order")
    func prometheus() {
        let labels = ContainerLabels(namespace: "ns", pod: "p", container: "c", containerID: "containerd://1")
        #expect(
            labels.prometheus.pairs.map { "\($0.name)=\($0.value)" } == [
                "namespace=ns", "pod=p", "container=c", "container_id=containerd://1",
            ])
    }
}
