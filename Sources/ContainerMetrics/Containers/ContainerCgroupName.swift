/// What a cgroup path means in the layouts kubelet and the container runtimes create.
///
/// Kubelet creates the QoS and pod levels; the runtime names the container level. With the
/// cgroupfs driver (paths as kubelet writes them in the memory hierarchy):
///
/// - guaranteed pod: `/kubepods/pod0f0c8a0e-5a1b-4c7d-9e2f-1a2b3c4d5e6f`
/// - burstable pod: `/kubepods/burstable/pod0f0c8a0e-5a1b-4c7d-9e2f-1a2b3c4d5e6f`
/// - besteffort pod: `/kubepods/besteffort/pod0f0c8a0e-5a1b-4c7d-9e2f-1a2b3c4d5e6f`
/// - containerd or Docker container: `/kubepods/burstable/pod0f0c…/<64 hex digits>` (the two
///   cannot be told apart: runtime `.unknown`)
/// - CRI-O container: `/kubepods/burstable/pod0f0c…/crio-<64 hex>`, its conmon monitor in
///   `/kubepods/burstable/pod0f0c…/crio-conmon-<64 hex>`
///
/// With the systemd driver the pod UID's dashes become underscores, since a dash separates the
/// levels of a slice name:
///
/// - guaranteed pod: `/kubepods.slice/kubepods-pod0f0c8a0e_5a1b_4c7d_9e2f_1a2b3c4d5e6f.slice`
/// - burstable pod: `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0f0c8a0e_5a1b_….slice`
/// - besteffort pod: `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0f0c….slice`
/// - containerd container: `…/kubepods-burstable-pod0f0c….slice/cri-containerd-<64 hex>.scope`
/// - CRI-O container: `…/kubepods-burstable-pod0f0c….slice/crio-<64 hex>.scope`, its conmon
///   monitor in `crio-conmon-<64 hex>.scope`; a pod whose infra container CRI-O dropped gets a
///   `crio-<64 hex>` cgroup without `.scope` for the sandbox, with no process in it
/// - Docker container: `…/kubepods-burstable-pod0f0c….slice/docker-<64 hex>.scope`
///
/// Anything may come before the `kubepods` component (kubelet's `--cgroup-root`, a test's own
/// parent). A container's sandbox (pause) cgroup is named like any other container; only the
/// name of CRI-O's dropped-infra sandbox says so, the others are found by their process.
public enum ContainerCgroupName: Sendable, Hashable {
    /// The `kubepods` (cgroupfs) or `kubepods.slice` (systemd) cgroup that holds every pod.
    case kubepods
    /// A QoS-class cgroup: `kubepods/burstable`, `kubepods.slice/kubepods-besteffort.slice`.
    case qosClass(ContainerQoSClass)
    /// A pod-level cgroup.
    case pod(uid: String, qos: ContainerQoSClass)
    /// A container cgroup; `namedSandbox` is true when its name alone marks it as the pod's sandbox.
    case container(
        podUID: String, qos: ContainerQoSClass, id: String, runtime: ContainerRuntime, namedSandbox: Bool)
    /// CRI-O's conmon monitor process for a container: not a container, and not counted as one.
    case runtimeMonitor(podUID: String, qos: ContainerQoSClass, id: String)

    /// The meaning of `cgroupPath`, or nil when it is not part of a kubelet layout.
    public init?(cgroupPath: String) {
        let components = cgroupPath.split(separator: "/")
        guard let start = components.firstIndex(where: { $0 == "kubepods" || $0 == "kubepods.slice" }) else {
            return nil
        }
        let systemd = components[start] == "kubepods.slice"
        var rest = components[(start + 1)...]
        guard let first = rest.first else {
            self = .kubepods
            return
        }
        var qos = ContainerQoSClass.guaranteed
        if let named = Self.qosClass(first, systemd: systemd) {
            qos = named
            rest = rest.dropFirst()
            guard !rest.isEmpty else {
                self = .qosClass(named)
                return
            }
        }
        guard let podName = rest.first, let uid = Self.podUID(podName, qos: qos, systemd: systemd) else { return nil }
        rest = rest.dropFirst()
        guard let containerName = rest.first else {
            self = .pod(uid: uid, qos: qos)
            return
        }
        guard rest.count == 1 else { return nil }
        guard let parsed = Self.container(containerName, systemd: systemd) else { return nil }
        if parsed.monitor {
            self = .runtimeMonitor(podUID: uid, qos: qos, id: parsed.id)
        } else {
            self = .container(
                podUID: uid, qos: qos, id: parsed.id, runtime: parsed.runtime, namedSandbox: parsed.namedSandbox)
        }
    }

    /// The QoS class a component names at the level below kubepods, if it names one.
    static func qosClass(_ name: Substring, systemd: Bool) -> ContainerQoSClass? {
        switch (name, systemd) {
        case ("burstable", false), ("kubepods-burstable.slice", true): .burstable
        case ("besteffort", false), ("kubepods-besteffort.slice", true): .besteffort
        default: nil
        }
    }

    /// The pod UID (with dashes) a pod-level component names, if it is one.
    static func podUID(_ name: Substring, qos: ContainerQoSClass, systemd: Bool) -> String? {
        let raw: Substring
        if systemd {
            let prefix = qos == .guaranteed ? "kubepods-pod" : "kubepods-\(qos.rawValue)-pod"
            guard name.hasPrefix(prefix), name.hasSuffix(".slice") else { return nil }
            raw = name.dropFirst(prefix.count).dropLast(".slice".count)
        } else {
            guard name.hasPrefix("pod") else { return nil }
            raw = name.dropFirst(3)
        }
        // Pod UIDs are UUIDs, or 32 hex digits for static pods; systemd slice names carry "_" for "-".
        let separator: Character = systemd ? "_" : "-"
        guard !raw.isEmpty, raw.allSatisfy({ $0.isHexDigit || $0 == separator }) else { return nil }
        return systemd ? String(raw.map { $0 == "_" ? "-" : $0 }) : String(raw)
    }

    /// A container-level component: its ID, runtime, and whether its name marks a sandbox or a monitor.
    static func container(
        _ name: Substring, systemd: Bool
    ) -> (
        id: String, runtime: ContainerRuntime, namedSandbox: Bool, monitor: Bool
    )? {
        if isContainerID(name) { return (String(name), .unknown, false, false) }
        var stem = name
        let scope = stem.hasSuffix(".scope")
        if scope { stem = stem.dropLast(".scope".count) }
        let prefixes: [(String, ContainerRuntime, monitor: Bool)] = [
            ("crio-conmon-", .crio, true), ("crio-", .crio, false), ("cri-containerd-", .containerd, false),
            ("docker-", .docker, false),
        ]
        for (prefix, runtime, monitor) in prefixes where stem.hasPrefix(prefix) {
            let id = stem.dropFirst(prefix.count)
            guard isContainerID(id) else { return nil }
            // Under systemd every container is a scope; CRI-O's cgroup for a dropped infra container is not.
            let namedSandbox = systemd && runtime == .crio && !monitor && !scope
            if !scope && systemd && !namedSandbox { return nil }
            if scope && !systemd { return nil }
            return (String(id), runtime, namedSandbox, monitor)
        }
        return nil
    }

    /// Whether `text` is a runtime container ID: 64 lowercase hex digits.
    static func isContainerID(_ text: Substring) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}
