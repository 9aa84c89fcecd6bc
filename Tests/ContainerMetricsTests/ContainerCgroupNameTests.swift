import ContainerMetrics
import Testing

/// Each kubelet and runtime cgroup layout, with a real-shaped example path.
@Suite struct ContainerCgroupNameTests {
    static let id = "4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d"
    static let uid = "0f0c8a0e-5a1b-4c7d-9e2f-1a2b3c4d5e6f"
    static let uidUnderscored = "0f0c8a0e_5a1b_4c7d_9e2f_1a2b3c4d5e6f"

    @Test func cgroupfsLevels() {
        #expect(ContainerCgroupName(cgroupPath: "/kubepods") == .kubepods)
        #expect(ContainerCgroupName(cgroupPath: "/kubepods/burstable") == .qosClass(.burstable))
        #expect(ContainerCgroupName(cgroupPath: "/kubepods/besteffort") == .qosClass(.besteffort))
        #expect(ContainerCgroupName(cgroupPath: "/kubepods/pod\(Self.uid)") == .pod(uid: Self.uid, qos: .guaranteed))
        #expect(
            ContainerCgroupName(cgroupPath: "/kubepods/besteffort/pod\(Self.uid)")
                == .pod(uid: Self.uid, qos: .besteffort))
    }

    /// containerd and Docker with the cgroupfs driver: a bare ID, runtime unknown.
    @Test func cgroupfsBareContainerID() {
        #expect(
            ContainerCgroupName(cgroupPath: "/kubepods/burstable/pod\(Self.uid)/\(Self.id)")
                == .container(podUID: Self.uid, qos: .burstable, id: Self.id, runtime: .unknown, namedSandbox: false))
        #expect(
            ContainerCgroupName(cgroupPath: "/kubepods/pod\(Self.uid)/\(Self.id)")
                == .container(podUID: Self.uid, qos: .guaranteed, id: Self.id, runtime: .unknown, namedSandbox: false))
    }

    /// CRI-O with the cgroupfs driver: crio-<id>, and crio-conmon-<id> for its monitor.
    @Test func cgroupfsCRIO() {
        #expect(
            ContainerCgroupName(cgroupPath: "/kubepods/burstable/pod\(Self.uid)/crio-\(Self.id)")
                == .container(podUID: Self.uid, qos: .burstable, id: Self.id, runtime: .crio, namedSandbox: false))
        #expect(
            ContainerCgroupName(cgroupPath: "/kubepods/burstable/pod\(Self.uid)/crio-conmon-\(Self.id)")
                == .runtimeMonitor(podUID: Self.uid, qos: .burstable, id: Self.id))
    }

    @Test func systemdLevels() {
        #expect(ContainerCgroupName(cgroupPath: "/kubepods.slice") == .kubepods)
        #expect(
            ContainerCgroupName(cgroupPath: "/kubepods.slice/kubepods-burstable.slice") == .qosClass(.burstable))
        #expect(
            ContainerCgroupName(cgroupPath: "/kubepods.slice/kubepods-pod\(Self.uidUnderscored).slice")
                == .pod(uid: Self.uid, qos: .guaranteed))
        #expect(
            ContainerCgroupName(
                cgroupPath:
                    "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod\(Self.uidUnderscored).slice")
                == .pod(uid: Self.uid, qos: .besteffort))
    }

    @Test(arguments: [
        ("cri-containerd-\(id).scope", ContainerRuntime.containerd),
        ("crio-\(id).scope", .crio),
        ("docker-\(id).scope", .docker),
    ])
    func systemdContainerScopes(name: String, runtime: ContainerRuntime) {
        let pod = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod\(Self.uidUnderscored).slice"
        #expect(
            ContainerCgroupName(cgroupPath: pod + "/" + name)
                == .container(podUID: Self.uid, qos: .burstable, id: Self.id, runtime: runtime, namedSandbox: false))
    }

    /// CRI-O's conmon scope, and the scope-less cgroup it creates for a dropped infra container.
    @Test func systemdCRIOMonitorAndSandbox() {
        let pod = "/kubepods.slice/kubepods-pod\(Self.uidUnderscored).slice"
        #expect(
            ContainerCgroupName(cgroupPath: pod + "/crio-conmon-\(Self.id).scope")
                == .runtimeMonitor(podUID: Self.uid, qos: .guaranteed, id: Self.id))
        #expect(
            ContainerCgroupName(cgroupPath: pod + "/crio-\(Self.id)")
                == .container(podUID: Self.uid, qos: .guaranteed, id: Self.id, runtime: .crio, namedSandbox: true))
    }

    /// Anything may precede kubepods: kubelet's --cgroup-root, or a test's own parent.
    @Test func prefixBeforeKubepods() {
        #expect(
            ContainerCgroupName(cgroupPath: "/rudder-test-1/kubepods/burstable/pod\(Self.uid)")
                == .pod(uid: Self.uid, qos: .burstable))
    }

    @Test(arguments: [
        "/system.slice/containerd.service",
        "/kubepods/burstable/notapod",
        "/kubepods/burstable/pod",
        "/kubepods/burstable/pod\(uid)/\(id.dropLast())",
        "/kubepods/burstable/pod\(uid)/\(id.uppercased())",
        "/kubepods/burstable/pod\(uid)/\(id)/child",
        "/kubepods/burstable/pod\(uid)/cri-containerd-\(id).scope",
        "/kubepods/pod\(uidUnderscored)",
        "/kubepods.slice/kubepods-pod\(uid).slice",
        "/kubepods.slice/kubepods-burstable.slice/kubepods-pod\(uidUnderscored).slice",
        "/kubepods.slice/kubepods-pod\(uidUnderscored).slice/cri-containerd-\(id)",
        "/kubepods.slice/kubepods-pod\(uidUnderscored).slice/podman-\(id).scope",
        "/kubepods/burstable/pod\(uid)/crio-\(id).mount",
    ])
    func foreignPathsAreNotContainers(path: String) {
        let name = ContainerCgroupName(cgroupPath: path)
        switch name {
        case .container, .pod, .runtimeMonitor: Issue.record("\(path) parsed as \(String(describing: name))")
        default: break
        }
    }
}
