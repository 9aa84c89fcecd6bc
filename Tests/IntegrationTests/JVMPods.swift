import Foundation
import RudderLab

/// Pods on node-a whose containers are real cgroups in kubelet's cgroupfs layout, each running a
/// real JVM: `<fixture parent>/kubepods/burstable/pod<uid>/<64-hex id>`, with the Pods' JSON
/// for the test API server carrying the same UIDs and `containerd://<id>` container IDs.
///
/// The cgroups and JVMs belong to `fixture`, whose `cleanUp()` removes them.
struct JVMPods: Sendable {
    /// One pod with one JVM container.
    struct Container: Sendable {
        var namespace: String
        var pod: String
        var name: String
        var uid: String
        var id: String
        /// The JVM's -Xmx in bytes.
        var heap: UInt64
        /// The JVM (nil for a container whose program runs to its end, started by the test).
        var jvm: JVMTestFixture.JVM?
        /// The container's cgroup folder.
        var cgroup: String
        /// The pod's cgroup folder.
        var podCgroup: String

        /// The container's ID as the Pod's status has it.
        var containerID: String { "containerd://" + id }

        /// The Pod, as the API server serves it.
        var podJSON: String {
            TestAPIServer.podJSON(
                namespace: namespace, name: pod, nodeName: "node-a", podIP: nil, containers: [name], uid: uid,
                containerIDs: [id])
        }

        /// The labels every series of this container carries.
        var labels: [String: String] {
            ["namespace": namespace, "pod": pod, "container": name, "container_id": containerID]
        }
    }

    static let mebibyte: UInt64 = 1 << 20

    /// A JVM container to start: its names, -Xmx in MiB, and limit in percent of -Xmx.
    struct Spec: Sendable {
        var namespace = "shop"
        var pod: String
        var name: String
        var heapMiB: UInt64
        var limitPercent: UInt64
    }

    /// The tight one (limit 5% above -Xmx) and the roomy one (30% above).
    static let tightAndRoomy = [
        Spec(pod: "orders-7d9f", name: "orders", heapMiB: 128, limitPercent: 105),
        Spec(namespace: "billing", pod: "invoices-5c2a", name: "invoices", heapMiB: 96, limitPercent: 130),
    ]

    let containers: [Container]

    /// Makes the cgroups and starts the JVMs, all at once.
    static func start(_ specs: [Spec], in fixture: JVMTestFixture) async throws -> JVMPods {
        try await withThrowingTaskGroup(of: (Int, Container).self) { group in
            for (index, spec) in specs.enumerated() {
                let (container, _) = try layout(spec, in: fixture)
                group.addTask {
                    var started = container
                    started.jvm = try await fixture.startJVM(
                        ["-Xmx\(spec.heapMiB)m", "-XX:+UseSerialGC"], limit: 0, cgroup: container.cgroup)
                    return (index, started)
                }
            }
            var started: [(Int, Container)] = []
            for try await entry in group { started.append(entry) }
            return JVMPods(containers: started.sorted { $0.0 < $1.0 }.map(\.1))
        }
    }

    /// The cgroups of one spec, without a process, below `prefix` (a path under the fixture's
    /// parent, "" for the parent itself); the second value is the limit set.
    static func layout(
        _ spec: Spec, in fixture: JVMTestFixture, under prefix: String = ""
    ) throws -> (
        Container, UInt64
    ) {
        let uid = UUID().uuidString.lowercased()
        let id = (0..<4).map { _ in String(format: "%016llx", UInt64.random(in: .min ... .max)) }.joined()
        let heap = spec.heapMiB * mebibyte
        let limit = heap * spec.limitPercent / 100
        let pod = (prefix.isEmpty ? "" : prefix + "/") + "kubepods/burstable/pod\(uid)"
        let podCgroup = try fixture.makeCgroup(pod, limit: nil)
        let cgroup = try fixture.makeCgroup("\(pod)/\(id)", limit: limit)
        let container = Container(
            namespace: spec.namespace, pod: spec.pod, name: spec.name, uid: uid, id: id, heap: heap, jvm: nil,
            cgroup: cgroup, podCgroup: podCgroup)
        return (container, limit)
    }
}
