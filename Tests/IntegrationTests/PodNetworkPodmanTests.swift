import Addresses
import Foundation
import Netlink
import PodNetwork
import RudderLab
import Testing

/// A real container runtime on Rudder's pod network: Debian's podman with its CNI backend, pointed
/// at the directory Rudder wrote, on a sandbox node.
///
/// Skipped only when the Debian base image is not in root's podman store: `make image` (which
/// `make test` runs first) imports it there, and no registry is reachable to pull it.
@Suite(
    .enabled(
        if: getuid() == 0 && PodmanImage.isPresent,
        "needs root's podman store with \(PodmanImage.name), which make image imports"))
struct PodNetworkPodmanTests {
    @Test func podmanStartsAContainerOnTheBridgeWithAnAddressFromThePodCIDR() async throws {
        let node = try NetworkNamespaceFixture(prefix: "rudder-node")
        let directory = NSTemporaryDirectory() + "rudder-podman-\(UInt32.random(in: .min ... .max))"
        let networkName = "rudder-podman-\(UInt32.random(in: .min ... .max))"
        defer {
            try? node.remove()
            try? FileManager.default.removeItem(atPath: directory)
            try? FileManager.default.removeItem(atPath: "/var/lib/cni/networks/\(networkName)")
        }
        try FileManager.default.createDirectory(atPath: directory + "/cni", withIntermediateDirectories: true)
        let settings = PodNetworkSettings(networkName: networkName, configDirectory: directory + "/cni")
        let reconciler = PodNetworkReconciler(
            kernel: try NetlinkPodNetworkKernel(namespace: node.namespace), egress: nil, settings: settings)
        let report = await reconciler.apply(
            PodNetworkState(podCIDRs: [try IPPrefix(parsing: "10.244.7.0/24")], mtu: 1500))
        #expect(report.failures.isEmpty && report.configurationWritten, "\(report)")

        // runc, limits these machines allow, and the CNI backend reading Rudder's directory.
        let containersConf = directory + "/containers.conf"
        try """
        [containers]
        default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
        [engine]
        runtime = "runc"
        [network]
        network_backend = "cni"
        cni_plugin_dirs = ["/usr/lib/cni"]
        network_config_dir = "\(directory)/cni"
        """.write(toFile: containersConf, atomically: true, encoding: .utf8)
        // nsenter, not `ip netns exec`: that remounts /sys, which hides the cgroups podman needs.
        let run = try Shell.run(
            "nsenter",
            [
                "--net=/run/netns/\(node.name)", "podman", "run", "--rm", "--pull=never", "--network", networkName,
                PodmanImage.name, "cat", "/proc/net/fib_trie",
            ], environment: ProcessInfo.processInfo.environment.merging(["CONTAINERS_CONF": containersConf]) { $1 })
        #expect(run.status == 0, "\(run.stderr)")
        // The container's own address is a host-LOCAL entry of the pod CIDR other than the gateway.
        let lines = run.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        // The kernel prints the trie twice (main and local tables): a set of what it lists.
        let local = Set(
            zip(lines, lines.dropFirst()).compactMap { entry, kind in
                kind == "/32 host LOCAL" && entry.hasPrefix("|-- 10.244.7.") ? String(entry.dropFirst(4)) : nil
            })
        #expect(local.count == 1 && local.first != "10.244.7.1", "\(run.stdout)")
        // The runtime attached it to Rudder's bridge, which it did not make: Rudder's fixed address.
        #expect(try node.ip("-o", "link", "show", "dev", "kube-bridge").contains("02:0a:f4:07:00:01"))
    }
}

/// The image the test runs: the Debian base `make image` imports.
private enum PodmanImage {
    static let name = "docker.io/library/debian:bookworm-slim"
    static var isPresent: Bool { (try? Shell.run("podman", ["image", "exists", name]))?.status == 0 }
}
