import Agent
import Foundation
import RudderLab
import Testing
import Yams

/// The shipped DaemonSet and ConfigMap run for real: the DaemonSet's pod template becomes a Pod
/// that `podman kube play` runs with the image `make image` built, its host network a sandbox
/// namespace that plays the node, against the test API server in that namespace and a BIRD ToR.
///
/// The Pod is generated from `manifests/daemonset.yaml` and `manifests/configmap.yaml` as they
/// are, with only what the cluster would add or what an operator is told to set
/// (`KubePlayPod.generate` lists each). Skipped only where the image is not in root's podman store
/// (`make image`, which `make test` runs first, puts it there).
@Suite(
    .enabled(if: getuid() == 0 && KubePlayPod.imageIsPresent, "needs \(ImageTests.image) in root's podman store"),
    .serialized)
struct KubePlayTests {
    /// Ready, `/metrics` served, pod routes and a BGP session in the sandbox, the conflist written
    /// into the CNI directory, and a clean stop on SIGTERM (exit 0, "stopped" logged).
    @Test func theShippedDaemonSetRunsInASandboxNode() async throws {
        try await withBGPPeerLab(nodes: 1) { lab in
            let link = lab.links[0]
            let node = lab.nodes[0]
            let bird = try await AgentBGPTests.startToR(in: lab)
            let scratch = try lab.makeRuntimeDirectory("kubeplay")
            let server = TestAPIServer(
                directory: scratch + "/apiserver", bookmarkInterval: 1, stateFile: false,
                networkNamespace: "/run/netns/\(node.name)")
            try server.start()
            defer { server.stop() }
            let otherNode = link.nodeIPv4.split(separator: ".").dropLast().joined(separator: ".") + ".77"
            try server.load([
                TestAPIServer.nodeJSON(name: "node-a", podCIDR: "10.244.1.0/24", internalIP: link.nodeIPv4),
                TestAPIServer.nodeJSON(name: "node-b", podCIDR: "10.244.2.0/24", internalIP: otherNode),
            ])
            let pod = try KubePlayPod.generate(
                in: scratch, nodeName: "node-a", server: server, tor: link.routerIPv4)
            defer { pod.remove() }

            let play = try pod.podman(["kube", "play", "--configmap", pod.configMapFile, pod.podFile], in: node)
            try #require(play.succeeded, "\(play.stdout)\(play.stderr)")
            let readyz = { try node.run("curl", ["-s", "http://127.0.0.1:20244/readyz"]).stdout }
            do {
                try await Polling.until("the pod is ready", timeout: .seconds(240)) {
                    try readyz().contains("readyz check passed")
                }
            } catch {
                Issue.record("readyz:\n\((try? readyz()) ?? "")\nlogs:\n\(pod.logs())")
                throw error
            }
            let metrics = try node.run("curl", ["-s", "http://127.0.0.1:20244/metrics"]).stdout
            #expect(metrics.contains("rudder_build_info{"), "\(metrics.prefix(2000))")
            // The container scraper runs on the host's cgroups (no kubelet here, so no container series).
            #expect(metrics.contains("rudder_container_scrape_problems "), "\(metrics.suffix(2000))")
            #expect(metrics.contains("rudder_cni_config_writes_total"), "the pod network's series")
            try await Polling.until("node-b's pod CIDR is routed in the sandbox", timeout: .seconds(240)) {
                try node.ip("route", "show", "proto", "44").contains("10.244.2.0/24 via \(otherNode)")
            }
            try await bird.waitUntilEstablished(link.nodeIPv4)
            try await Polling.until("the ToR's route is in the sandbox's kernel", timeout: .seconds(240)) {
                try node.ip("route", "show", "proto", "44").contains("192.168.100.0/24 via \(link.routerIPv4)")
            }
            #expect(FileManager.default.fileExists(atPath: pod.cniDirectory + "/10-rudder.conflist"))
            #expect(try node.ip("-o", "address", "show", "dev", "kube-bridge").contains("10.244.1.1/24"))

            // SIGTERM, as the kubelet stops a pod: the agent stops its loops and exits 0.
            let stop = try pod.podman(["pod", "stop", "--time", "60", pod.name], in: node)
            #expect(stop.succeeded, "\(stop.stderr)")
            let exit = try pod.podman(["inspect", "--format", "{{.State.ExitCode}}", pod.containerName], in: node)
            #expect(exit.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "\(pod.logs())")
            #expect(pod.logs().contains("stopped; the dataplane is left as it is"), "\(pod.logs().suffix(3000))")
            // The dataplane stays: routes are still there after the agent is gone.
            #expect(try node.ip("route", "show", "proto", "44").contains("10.244.2.0/24"))
        }
    }
}

/// The Pod and ConfigMap files generated from the shipped manifests, and podman run as these
/// machines need it.
struct KubePlayPod {
    let name: String
    let directory: String
    let podFile: String
    let configMapFile: String
    let cniDirectory: String
    let containersConf: String

    /// The container's name as podman names a kube-play container: pod name, dash, container name.
    var containerName: String { name + "-rudder" }

    static var imageIsPresent: Bool {
        (try? Shell.run("podman", ["image", "exists", ImageTests.image]))?.status == 0
    }

    static func repositoryFile(_ path: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(path).path
    }

    /// Generates the files. What changes, and why:
    /// - the DaemonSet's `spec.template` becomes a Pod's metadata and spec, unchanged otherwise;
    /// - `NODE_NAME`'s `fieldRef: spec.nodeName` becomes the node's name, as the scheduler sets it;
    /// - `KUBERNETES_SERVICE_HOST`/`PORT` (the `kubernetes` Service's ClusterIP) and the service
    ///   account's token, CA and namespace files are added, as the kubelet adds them to every pod;
    /// - an optional Secret that does not exist becomes an empty directory, as the kubelet mounts it;
    /// - `ports` go: with `hostNetwork` they publish nothing (the kubelet only reports them), and
    ///   podman 4.3's kube play refuses port mappings on the host's network;
    /// - hostPaths Rudder writes to (its state, the CNI directory) point into the test's directory,
    ///   so nothing of the CI machine's own is touched; `/sys/fs/cgroup` and the xtables lock stay;
    /// - the ConfigMap gets what `docs/install.md` tells an operator to set: `kubernetes.apiServer`,
    ///   and the BGP peer; the service proxy is off where the kernel has no IPVS (the host's).
    static func generate(
        in directory: String, nodeName: String, server: TestAPIServer, tor: String
    ) throws
        -> KubePlayPod
    {
        let name = "rudder-kubeplay-\(UInt32.random(in: .min ... .max))"
        let cni = directory + "/cni"
        let state = directory + "/state"
        let account = directory + "/serviceaccount"
        for folder in [cni, state, account] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        try (server.token ?? "").write(toFile: account + "/token", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: server.certificates.caCertificate, toPath: account + "/ca.crt")
        try "kube-system".write(toFile: account + "/namespace", atomically: true, encoding: .utf8)

        let daemonSet = try Self.load("manifests/daemonset.yaml")
        let spec = try #require(daemonSet["spec"] as? [String: Any])
        let template = try #require(spec["template"] as? [String: Any])
        var podSpec = try #require(template["spec"] as? [String: Any])
        var containers = try #require(podSpec["containers"] as? [[String: Any]])
        for index in containers.indices {
            var environment = containers[index]["env"] as? [[String: Any]] ?? []
            for entry in environment.indices {
                let reference = (environment[entry]["valueFrom"] as? [String: Any])?["fieldRef"] as? [String: Any]
                if reference?["fieldPath"] as? String == "spec.nodeName" {
                    environment[entry] = ["name": environment[entry]["name"] ?? "", "value": nodeName]
                }
            }
            environment += [
                ["name": "KUBERNETES_SERVICE_HOST", "value": "10.96.0.1"],
                ["name": "KUBERNETES_SERVICE_PORT", "value": "443"],
            ]
            containers[index]["env"] = environment
            containers[index]["ports"] = nil
            var mounts = containers[index]["volumeMounts"] as? [[String: Any]] ?? []
            mounts.append([
                "name": "kube-api-access", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                "readOnly": true,
            ])
            containers[index]["volumeMounts"] = mounts
        }
        podSpec["containers"] = containers
        var volumes = podSpec["volumes"] as? [[String: Any]] ?? []
        for index in volumes.indices {
            if var hostPath = volumes[index]["hostPath"] as? [String: Any], let path = hostPath["path"] as? String {
                let moved = ["/run/rudder": state, "/etc/cni/net.d": cni][path]
                if let moved {
                    hostPath["path"] = moved
                    volumes[index]["hostPath"] = hostPath
                }
            }
            if let secret = volumes[index]["secret"] as? [String: Any], secret["optional"] as? Bool == true {
                volumes[index] = ["name": volumes[index]["name"] ?? "", "emptyDir": [String: Any]()]
            }
        }
        volumes.append(["name": "kube-api-access", "hostPath": ["path": account, "type": "Directory"]])
        podSpec["volumes"] = volumes
        var metadata = template["metadata"] as? [String: Any] ?? [:]
        metadata["name"] = name
        metadata["namespace"] = "kube-system"
        let pod: [String: Any] = ["apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": podSpec]

        var configMap = try Self.load("manifests/configmap.yaml")
        var data = try #require(configMap["data"] as? [String: Any])
        var agent =
            try Yams.load(yaml: try #require(data["rudder.yaml"] as? String)) as? [String: Any] ?? [:]
        var kubernetes = agent["kubernetes"] as? [String: Any] ?? [:]
        kubernetes["apiServer"] = server.url
        agent["kubernetes"] = kubernetes
        var proxy = agent["serviceProxy"] as? [String: Any] ?? [:]
        proxy["enabled"] = false
        agent["serviceProxy"] = proxy
        var bgp = agent["bgp"] as? [String: Any] ?? [:]
        bgp["enabled"] = true
        bgp["nodeMesh"] = false
        bgp["peers"] = [["address": tor, "remoteAS": 65000]]
        agent["bgp"] = bgp
        data["rudder.yaml"] = try Yams.dump(object: agent)
        configMap["data"] = data

        let podFile = directory + "/pod.yaml"
        let configMapFile = directory + "/configmap.yaml"
        try Yams.dump(object: pod).write(toFile: podFile, atomically: true, encoding: .utf8)
        try Yams.dump(object: configMap).write(toFile: configMapFile, atomically: true, encoding: .utf8)
        let containersConf = directory + "/containers.conf"
        let processes = min(Int(try ImageTests.limit("-Hu")) ?? 32768, 32768)
        let files = try ImageTests.limit("-Hn")
        try """
        [containers]
        default_ulimits = ["nofile=\(files):\(files)", "nproc=\(processes):\(processes)"]
        [engine]
        runtime = "runc"
        """.write(toFile: containersConf, atomically: true, encoding: .utf8)
        return KubePlayPod(
            name: name, directory: directory, podFile: podFile, configMapFile: configMapFile, cniDirectory: cni,
            containersConf: containersConf)
    }

    private static func load(_ path: String) throws -> [String: Any] {
        let text = try String(contentsOfFile: repositoryFile(path), encoding: .utf8)
        return try #require(try Yams.load(yaml: text) as? [String: Any], "\(path)")
    }

    /// Runs podman with the host network of `node`: nsenter, not `ip netns exec`, which remounts
    /// /sys and hides the cgroups podman needs.
    func podman(_ arguments: [String], in node: NetworkNamespaceFixture) throws -> CommandResult {
        try Shell.runLeavingDaemons(
            "nsenter", ["--net=/run/netns/\(node.name)", "podman"] + arguments,
            environment: ["CONTAINERS_CONF": containersConf])
    }

    /// The container's log (the agent's standard error).
    func logs() -> String {
        let result = try? Shell.runLeavingDaemons("podman", ["logs", containerName])
        return (result?.stdout ?? "") + (result?.stderr ?? "")
    }

    /// Removes the pod and its containers, whatever state they are in.
    func remove() {
        _ = try? Shell.runLeavingDaemons("podman", ["pod", "rm", "--force", "--time", "5", name])
    }
}
