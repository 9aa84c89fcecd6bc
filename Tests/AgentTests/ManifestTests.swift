import Agent
import Foundation
import RudderLab
import Testing
import Yams

/// The files in manifests/ are what users apply: they must parse, agree with the agent, and their
/// alerts and dashboard queries must be valid PromQL that does what the names say. promtool comes
/// with Debian's prometheus package, which the test command installs; without it the checks
/// fail ("command not found") rather than skip.
@Suite struct ManifestTests {
    private func documents(_ file: String) throws -> [[String: Any]] {
        let text = try String(contentsOfFile: repositoryPath("manifests/" + file), encoding: .utf8)
        return try Yams.load_all(yaml: text).compactMap { $0 as? [String: Any] }
    }

    private func scratch() throws -> String {
        let directory = NSTemporaryDirectory() + "rudder-manifests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test func theConfigMapHoldsAValidConfigurationThatTheDaemonSetReads() throws {
        let configMap = try #require(try documents("configmap.yaml").first)
        let data = try #require(configMap["data"] as? [String: String])
        let configuration = try RudderConfiguration.parse(yaml: try #require(data["rudder.yaml"]), file: "configmap")
        let daemonSet = try #require(try documents("daemonset.yaml").first)
        let spec = try #require((daemonSet["spec"] as? [String: Any])?["template"] as? [String: Any])
        let pod = try #require(spec["spec"] as? [String: Any])
        #expect(pod["hostNetwork"] as? Bool == true && pod["hostPID"] as? Bool == true)
        let container = try #require((pod["containers"] as? [[String: Any]])?.first)
        #expect(container["args"] as? [String] == ["run", "--config", "/etc/rudder/rudder.yaml"])
        let ports = try #require(container["ports"] as? [[String: Any]])
        #expect(ports.first?["containerPort"] as? Int == configuration.http.port)
        let probe = try #require((container["livenessProbe"] as? [String: Any])?["httpGet"] as? [String: Any])
        #expect(probe["path"] as? String == "/healthz" && probe["port"] as? Int == configuration.http.port)
    }

    /// The pod depends on nothing the agent itself provides: cluster DNS is a Service, so the
    /// node's resolver; the image is the full reference `make image` tags for this version.
    @Test func theDaemonSetStartsWithoutWhatTheAgentProvides() throws {
        let daemonSet = try #require(try documents("daemonset.yaml").first)
        let spec = try #require((daemonSet["spec"] as? [String: Any])?["template"] as? [String: Any])
        let pod = try #require(spec["spec"] as? [String: Any])
        #expect(pod["dnsPolicy"] as? String == "Default")
        let container = try #require((pod["containers"] as? [[String: Any]])?.first)
        #expect(container["image"] as? String == "localhost/rudder:\(RudderVersion.current)")
    }

    /// Every volume is mounted, and every mount names a volume: no volume that nothing uses.
    @Test func everyVolumeIsMounted() throws {
        let daemonSet = try #require(try documents("daemonset.yaml").first)
        let spec = try #require((daemonSet["spec"] as? [String: Any])?["template"] as? [String: Any])
        let pod = try #require(spec["spec"] as? [String: Any])
        let volumes = Set((pod["volumes"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String })
        let containers = pod["containers"] as? [[String: Any]] ?? []
        let mounted = Set(
            containers.flatMap { $0["volumeMounts"] as? [[String: Any]] ?? [] }.compactMap { $0["name"] as? String })
        #expect(volumes == mounted)
    }

    /// Every manifest passes kubernetes-validate's strict schema check (unknown fields refused)
    /// for the oldest Kubernetes Rudder is tested against and the newest the validator knows.
    /// The Prometheus Operator's kinds (ServiceMonitor, PrometheusRule) have no schema there;
    /// promtool and the tests above check those.
    @Test(arguments: ["1.29.0", "1.37.0"])
    func everyManifestPassesTheKubernetesSchema(version: String) throws {
        // kustomization.yaml is kubectl's, not an object the API server takes; what it renders is
        // checked in kustomizeRendersTheManifestsAndTheReleaseLabelOverlay.
        let files = try FileManager.default.contentsOfDirectory(atPath: repositoryPath("manifests"))
            .filter { $0.hasSuffix(".yaml") && $0 != "kustomization.yaml" }.sorted()
        #expect(files.count >= 5)
        for file in files {
            let result = try Shell.run(
                "kubernetes-validate", ["--strict", "-k", version, repositoryPath("manifests/" + file)])
            #expect(result.succeeded, "\(file): \(result.stdout)\(result.stderr)")
            let lines = (result.stdout + result.stderr).split(separator: "\n")
            for line in lines where !line.contains(" passed for resource ") {
                #expect(
                    line.contains("Couldn't find schema for kind") && line.contains("monitoring.coreos.com/v1"),
                    "\(file): \(line)")
            }
        }
    }

    /// `promtool check rules` parses every alert; `promtool test rules` proves each fires on the
    /// series that should fire it and not on the others (manifests/tests/).
    @Test func alertsAreValidAndFireWhenTheyShould() throws {
        let rule = try #require(try documents("prometheus-rules.yaml").first)
        let groups = try #require((rule["spec"] as? [String: Any])?["groups"])
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Yams.dump(object: ["groups": groups]).write(
            toFile: directory + "/rules.yaml", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(
            atPath: repositoryPath("manifests/tests/prometheus-rules-test.yaml"),
            toPath: directory + "/prometheus-rules-test.yaml")
        let checked = try Shell.run("promtool", ["check", "rules", directory + "/rules.yaml"])
        #expect(checked.succeeded, "\(checked.stdout)\(checked.stderr)")
        #expect(checked.stdout.contains("9 rules found"))
        // Every alert is scoped to Rudder's own job, apart from kubelet's series of the same names.
        for group in groups as? [[String: Any]] ?? [] {
            for alert in group["rules"] as? [[String: Any]] ?? [] {
                #expect((alert["expr"] as? String)?.contains("job=\"rudder\"") == true, "\(alert["alert"] ?? "")")
            }
        }
        let tested = try Shell.run(
            "promtool", ["test", "rules", "prometheus-rules-test.yaml"], workingDirectory: directory)
        #expect(tested.succeeded, "\(tested.stdout)\(tested.stderr)")
    }

    /// Every dashboard query, its Grafana variables filled in, is valid PromQL: each becomes a
    /// recording rule for `promtool check rules`, which parses it.
    @Test(arguments: ["grafana-jvm-headroom.json", "grafana-network.json"])
    func dashboardQueriesAreValidPromQL(file: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: repositoryPath("manifests/" + file)))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        var expressions: [String] = []
        for panel in panels {
            for target in panel["targets"] as? [[String: Any]] ?? [] {
                if let expression = target["expr"] as? String { expressions.append(expression) }
            }
        }
        #expect(expressions.count >= 10)
        let filled = expressions.map {
            $0.replacingOccurrences(of: "$namespace", with: ".*").replacingOccurrences(of: "$pod", with: ".*")
                .replacingOccurrences(of: "$instance", with: ".*")
                .replacingOccurrences(of: "$__rate_interval", with: "5m")
        }
        #expect(filled.allSatisfy { !$0.contains("$") }, "an unknown Grafana variable: \(filled)")
        // Scoped to Rudder's own scrape job: kubelet's cAdvisor series share some names.
        #expect(filled.allSatisfy { $0.contains("job=\"rudder\"") }, "\(filled)")
        let rules = filled.enumerated().map { ["record": "dashboard:query\($0.offset)", "expr": $0.element] }
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Yams.dump(object: ["groups": [["name": "dashboard", "rules": rules]]]).write(
            toFile: directory + "/dashboard.yaml", atomically: true, encoding: .utf8)
        let checked = try Shell.run("promtool", ["check", "rules", directory + "/dashboard.yaml"])
        #expect(checked.succeeded, "\(checked.stdout)\(checked.stderr)")
        // Each series a query names is one /metrics serves (docs/metrics.md lists them).
        let metricsDoc = try String(contentsOfFile: repositoryPath("docs/metrics.md"), encoding: .utf8)
        let names = Set(
            filled.flatMap { expression in
                expression.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") })
                    .filter { $0.hasPrefix("rudder_") || $0.hasPrefix("container_") }.map(String.init)
            })
        for name in names {
            // A histogram's series are documented under the family's name.
            let family = ["_bucket", "_sum", "_count"].reduce(name) { name, suffix in
                name.hasSuffix(suffix) ? String(name.dropLast(suffix.count)) : name
            }
            #expect(metricsDoc.contains(family), "\(name) is not in docs/metrics.md")
        }
    }

    /// `kubectl apply -k manifests/` applies what the files hold, every kind once; the
    /// kube-prometheus-stack overlay (docs/examples/kube-prometheus-stack/) adds the release label
    /// its Prometheus selects by to the ServiceMonitor and the PrometheusRule, and nothing else.
    @Test func kustomizeRendersTheManifestsAndTheReleaseLabelOverlay() throws {
        func render(_ path: String) throws -> [[String: Any]] {
            let result = try Shell.run("kubectl", ["kustomize", repositoryPath(path)])
            #expect(result.succeeded, "\(path): \(result.stderr)")
            return try Yams.load_all(yaml: result.stdout).compactMap { $0 as? [String: Any] }
        }
        func kinds(_ documents: [[String: Any]]) -> [String] {
            documents.compactMap { document in
                let metadata = document["metadata"] as? [String: Any]
                return (document["kind"] as? String).map { "\($0)/\(metadata?["name"] as? String ?? "")" }
            }.sorted()
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: repositoryPath("manifests"))
            .filter { $0.hasSuffix(".yaml") && $0 != "kustomization.yaml" }
        let shipped = try files.flatMap(documents)
        let base = try render("manifests")
        #expect(kinds(base) == kinds(shipped))
        let overlay = try render("docs/examples/kube-prometheus-stack")
        #expect(kinds(overlay) == kinds(shipped))
        for document in overlay {
            let kind = document["kind"] as? String ?? ""
            let labels = (document["metadata"] as? [String: Any])?["labels"] as? [String: Any] ?? [:]
            let expected = ["ServiceMonitor", "PrometheusRule"].contains(kind) ? "kube-prometheus-stack" : nil
            #expect(labels["release"] as? String == expected, "\(kind)")
        }
    }
}
