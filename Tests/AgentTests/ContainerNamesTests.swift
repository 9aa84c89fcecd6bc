import Agent
import ContainerMetrics
import Foundation
import Kubernetes
import KubernetesModel
import RudderLab
import Testing

@Suite("Container names from the Pods on this node")
struct ContainerNamesTests {
    static let uid = "3b6f2a1c-8d4e-4f5a-9b7c-1d2e3f4a5b6c"
    static func id(_ digit: Character) -> String { String(repeating: digit, count: 64) }

    static func container(id: String?, uid: String = uid) -> DiscoveredContainer {
        let path = "/kubepods/burstable/pod\(uid)" + (id.map { "/" + $0 } ?? "")
        return DiscoveredContainer(
            cgroupPath: path, directory: "/sys/fs/cgroup/memory" + path, kind: id == nil ? .pod : .container,
            podUID: uid, containerID: id, runtime: .unknown, qos: .burstable)
    }

    /// A Pod as the test API server serves it, decoded as the informer decodes it.
    static func pod(namespace: String = "shop", name: String, containers: [String], ids: [String]) throws -> Pod {
        let json = TestAPIServer.podJSON(
            namespace: namespace, name: name, nodeName: "node-a", podIP: "10.244.1.5", containers: containers,
            uid: uid, containerIDs: ids)
        return try JSONDecoder().decode(Pod.self, from: Data(json.utf8))
    }

    @Test("containerd://<id> in the Pod's status names the container whose cgroup is <id>")
    func namedFromPod() throws {
        let names = ContainerNames()
        try names.set(
            Self.pod(name: "web-1", containers: ["app", "sidecar"], ids: [Self.id("a"), Self.id("b")]), uid: Self.uid)
        #expect(names.count == 1)
        #expect(
            names.labels(for: Self.container(id: Self.id("a")))
                == ContainerLabels(
                    namespace: "shop", pod: "web-1", container: "app", containerID: "containerd://" + Self.id("a")))
        #expect(names.labels(for: Self.container(id: Self.id("b"))).container == "sidecar")
        // The pod's own cgroup gets the pod's names and no container.
        #expect(
            names.labels(for: Self.container(id: nil))
                == ContainerLabels(namespace: "shop", pod: "web-1", container: "", containerID: ""))
    }

    @Test("a container the Pod does not list keeps its path's names under the Pod's; an unknown pod keeps the path's")
    func fallbacks() throws {
        let names = ContainerNames()
        try names.set(Self.pod(name: "web-1", containers: ["app"], ids: [Self.id("a")]), uid: Self.uid)
        // A container that started after the Pod was last seen (a restart: a new ID).
        #expect(
            names.labels(for: Self.container(id: Self.id("c")))
                == ContainerLabels(
                    namespace: "shop", pod: "web-1", container: "cccccccccccc", containerID: Self.id("c")))
        let stranger = Self.container(id: Self.id("d"), uid: "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b")
        #expect(names.labels(for: stranger) == ContainerLabels(pathOnly: stranger))
        #expect(names.labels(for: stranger).pod == "pod9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b")
    }

    @Test("a deleted Pod's containers fall back to their paths; an update replaces the container IDs")
    func deleteAndUpdate() throws {
        let names = ContainerNames()
        try names.set(Self.pod(name: "web-1", containers: ["app"], ids: [Self.id("a")]), uid: Self.uid)
        try names.set(Self.pod(name: "web-1", containers: ["app"], ids: [Self.id("e")]), uid: Self.uid)
        #expect(names.labels(for: Self.container(id: Self.id("e"))).container == "app")
        #expect(names.labels(for: Self.container(id: Self.id("a"))).container == "aaaaaaaaaaaa")
        names.set(nil, uid: Self.uid)
        #expect(names.count == 0)
        let container = Self.container(id: Self.id("e"))
        #expect(names.labels(for: container) == ContainerLabels(pathOnly: container))
    }

    @Test("a container not started yet (no containerID) and a Pod without a namespace")
    func partialPods() throws {
        let names = ContainerNames()
        let pod = Pod(
            metadata: ObjectMeta(name: "lonely", uid: Self.uid),
            spec: PodSpec(containers: []),
            status: PodStatus(containerStatuses: [
                ContainerStatus(name: "waiting", ready: false, restartCount: 0),
                ContainerStatus(name: "odd", containerID: "containerd://", ready: false, restartCount: 0),
            ]))
        names.set(pod, uid: Self.uid)
        let labels = names.labels(for: Self.container(id: Self.id("a")))
        #expect(
            labels
                == ContainerLabels(
                    namespace: "default", pod: "lonely", container: "aaaaaaaaaaaa", containerID: Self.id("a")))
    }
}
