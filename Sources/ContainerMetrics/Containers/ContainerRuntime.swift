/// The container runtime that named a container's cgroup, as far as the name tells.
public enum ContainerRuntime: String, Sendable, Hashable, CaseIterable {
    /// containerd's CRI plugin with the systemd driver: `cri-containerd-<id>.scope`.
    case containerd
    /// CRI-O: `crio-<id>.scope` (systemd driver) or `crio-<id>` (cgroupfs driver).
    case crio
    /// Docker through dockershim or cri-dockerd with the systemd driver: `docker-<id>.scope`.
    case docker
    /// A bare 64-hex-digit directory (the cgroupfs driver): containerd and Docker name it alike.
    case unknown
    /// A plain cgroup found under a configured parent, not a Kubernetes container.
    case none
}
