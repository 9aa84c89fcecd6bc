import Foundation
import GuestTesting
import RudderLab
import Testing

/// The `rudder` executable end to end: the commands a user types, in a network namespace.
@Suite(.enabled(if: getuid() == 0, "network namespaces need root"))
struct RudderCommandTests {
    /// The `rudder` binary built beside the test bundle (`swift build --build-tests` builds both).
    static var rudder: String {
        let bundle = (try? UserModeLinux.testBundlePath()) ?? ""
        return URL(fileURLWithPath: bundle).deletingLastPathComponent().appendingPathComponent("rudder").path
    }

    /// A new directory under the temporary one, for one test's files; the test removes it.
    static func scratch(_ prefix: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    static var examples: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/examples")
    }

    func node() throws -> NetworkNamespaceFixture {
        let fixture = try NetworkNamespaceFixture()
        try fixture.addVethPair("rc0", peer: "rc1")
        try fixture.addAddress("192.168.1.10/24", to: "rc0")
        try fixture.addAddress("fd00:1::10/64", to: "rc0")
        return fixture
    }

    /// Writes a services file for a guest node with `services` (its list items, indented by two):
    /// the node's address 10.201.0.1, which it puts on lo (VIPs' local routes take it as their
    /// source), pods in 10.200.0.0/16, and the guest kernel's legacy iptables.
    static func writeGuestServices(to path: String, _ services: String) throws {
        try Shell.check("ip", ["address", "add", "10.201.0.1/32", "dev", "lo"])
        let node = "node:\n  addresses: [10.201.0.1]\n  podSubnets: [10.200.0.0/16]\n  iptables: legacy\nservices:\n"
        try (node + services + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func versionAndCheckConfig() throws {
        #expect(try Shell.check(Self.rudder, ["version"]).hasPrefix("rudder "))
        let good = try Shell.run(
            Self.rudder, ["check-config", Self.examples.appendingPathComponent("rudder.yaml").path])
        #expect(good.succeeded)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rudder-bad-\(UUID()).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        try "logLevel: loud\npodRouting:\n  tabel: 5\n".write(to: file, atomically: true, encoding: .utf8)
        let bad = try Shell.run(Self.rudder, ["check-config", file.path])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("\(file.path):1:"))
        #expect(bad.stderr.contains("\(file.path):3:3: unknown key 'tabel'"))
    }

    /// `rudder cni show --pod-cidr`: the conflist rendered from the configuration, beside what is
    /// on disk; without an agent and without --pod-cidr, one clear error.
    @Test func cniShowRendersTheConflistAndComparesItWithTheFile() throws {
        let directory = try Self.scratch("rudder-cni-show")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = directory + "/rudder.yaml"
        try "podNetwork:\n  enabled: true\n  cniConfigDirectory: \(directory)\n  mtu: 1450\n".write(
            toFile: config, atomically: true, encoding: .utf8)
        let arguments = ["cni", "show", "--config", config, "--pod-cidr", "10.244.1.0/24", "--pod-cidr", "fd00::/64"]
        let first = try Shell.run(Self.rudder, arguments)
        #expect(first.succeeded, "\(first.stderr)")
        #expect(first.stdout.contains("# would write (rendered here): \(directory)/10-rudder.conflist"))
        #expect(first.stdout.contains(#""subnet": "fd00::/64", "gateway": "fd00::1""#))
        #expect(first.stdout.contains(#""mtu": 1450"#))
        #expect(first.stdout.contains("# on disk: \(directory)/10-rudder.conflist does not exist"))
        // The text between the first line and the on-disk line is the conflist itself.
        let wanted = first.stdout.components(separatedBy: "\n# on disk:")[0].split(separator: "\n", maxSplits: 1)[1]
        try String(wanted).write(toFile: directory + "/10-rudder.conflist", atomically: true, encoding: .utf8)
        try "{}".write(toFile: directory + "/05-other.conf", atomically: true, encoding: .utf8)
        let second = try Shell.run(Self.rudder, arguments)
        #expect(second.stdout.contains("# the same: nothing to write"), "\(second.stdout)")
        #expect(second.stdout.contains("# warning: 05-other.conf sort(s) before 10-rudder.conflist"))

        let noAgent = try Shell.run(Self.rudder, ["cni", "show", "--socket", directory + "/none.sock"])
        #expect(noAgent.status == 1)
        #expect(noAgent.stderr.contains("\(directory)/none.sock: no agent is running"), "\(noAgent.stderr)")
    }

    @Test func appliesTheExampleRoutesFileAndListsThem() throws {
        let fixture = try node()
        defer { try? fixture.remove() }
        let routes = Self.examples.appendingPathComponent("routes.yaml").path
        let applied = try Shell.run(Self.rudder, ["routes", "apply", "--file", routes, "--namespace", fixture.name])
        #expect(applied.succeeded, "\(applied.stderr)")
        #expect(applied.stdout.contains("applied 4 operations"))
        let listed = try Shell.check(Self.rudder, ["routes", "list", "--namespace", fixture.name])
        #expect(listed.contains("10.244.1.0/24 via 192.168.1.11 dev rc0 onlink table main proto rudder metric 100"))
        #expect(listed.contains("nexthop via 192.168.1.12 dev rc0 onlink weight 2"))
        #expect(listed.contains("fd00:10:244:1::/64 via fd00:1::11 dev rc0 onlink"))
        let json = try Shell.check(Self.rudder, ["routes", "list", "-o", "json", "--namespace", fixture.name])
        let records = try #require(
            try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]], "\(json)")
        #expect(records.count == 4, "\(json)")
        let ecmp = try #require(records.first { $0["prefix"] as? String == "10.244.2.0/24" }, "\(json)")
        let hops = try #require(ecmp["nextHops"] as? [[String: Any]])
        #expect(hops.contains { $0["gateway"] as? String == "192.168.1.12" && $0["weight"] as? Int == 2 }, "\(hops)")
        #expect(ecmp["metric"] as? Int == 100 && ecmp["protocolNumber"] as? Int == 44, "\(ecmp)")
        let again = try Shell.check(Self.rudder, ["routes", "apply", "--file", routes, "--namespace", fixture.name])
        #expect(again.contains("applied 0 operations"))
    }

    /// `logging.format: json`: everything `rudder run` logs, from its start to SIGTERM, is one
    /// JSON object per line (here with an API server that never answers, so it logs retries too).
    @Test func runLogsOneJSONObjectPerLineWhenAsked() async throws {
        let fixture = try node()
        defer { try? fixture.remove() }
        let directory = try Self.scratch("rudder-json-log")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try """
        apiVersion: v1
        kind: Config
        clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]
        users: [{name: u, user: {token: not-used}}]
        contexts: [{name: x, context: {cluster: c, user: u}}]
        current-context: x
        """.write(toFile: directory + "/kubeconfig", atomically: true, encoding: .utf8)
        try """
        nodeName: node-a
        logging:
          format: json
        controlSocket: \(directory)/control.sock
        kubernetes:
          kubeconfig: \(directory)/kubeconfig
          allowInsecure: true
        serviceProxy:
          enabled: false
        metrics:
          containers: false
        """.write(toFile: directory + "/rudder.yaml", atomically: true, encoding: .utf8)
        let agent = try RudderProcess(
            arguments: [
                "run", "--config", directory + "/rudder.yaml", "--namespace", fixture.name, "--http-port",
                "\(Int.random(in: 40_000...49_999))",
            ], output: directory + "/rudder.out")
        defer { agent.kill(SIGKILL) }
        try await Polling.until("the agent logs its start and a failed list", timeout: .seconds(120)) {
            agent.errors.contains(#""message":"starting""#) && agent.errors.contains("list failed")
        }
        agent.kill(SIGTERM)
        let lines = agent.errors.split(separator: "\n")
        #expect(lines.count >= 2)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["time"] is String && object?["level"] is String && object?["message"] is String, "\(line)")
        }
    }

    /// A node where the only API server address is the kubernetes Service's ClusterIP, which
    /// this agent would program itself: `rudder run` in a pod (KUBERNETES_SERVICE_HOST and a
    /// service account, in a mount namespace of its own) says so at start and on /readyz instead
    /// of retrying in silence.
    @Test func anAgentWhoseOnlyAPIAddressIsAClusterIPSaysSo() async throws {
        let fixture = try node()
        defer { try? fixture.remove() }
        let directory = try Self.scratch("rudder-clusterip")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // The service account's files go under a tmpfs mounted in the agent's own mount
        // namespace; /run/secrets, its mount point, is made here only if missing and removed after.
        let madeMountPoint = !FileManager.default.fileExists(atPath: "/run/secrets")
        if madeMountPoint {
            try FileManager.default.createDirectory(atPath: "/run/secrets", withIntermediateDirectories: false)
        }
        defer { if madeMountPoint { try? FileManager.default.removeItem(atPath: "/run/secrets") } }
        try "nodeName: node-a\nmetrics:\n  containers: false\ncontrolSocket: \(directory)/control.sock\n".write(
            toFile: directory + "/rudder.yaml", atomically: true, encoding: .utf8)
        let port = Int.random(in: 40_000...49_999)
        let account = "/run/secrets/kubernetes.io/serviceaccount"
        let script = """
            mount -t tmpfs rudder-test /run/secrets && mkdir -p \(account) && echo token > \(account)/token \
            && echo not-a-certificate > \(account)/ca.crt && echo kube-system > \(account)/namespace \
            && exec env KUBERNETES_SERVICE_HOST=10.96.0.1 KUBERNETES_SERVICE_PORT=443 \(Self.rudder) run \
            --config \(directory)/rudder.yaml --namespace \(fixture.name) --http-port \(port)
            """
        let agent = Process()
        agent.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        agent.arguments = ["--mount", "--propagation", "private", "sh", "-c", script]
        let log = directory + "/agent.err"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        agent.standardError = FileHandle(forWritingAtPath: log)
        agent.standardOutput = FileHandle.nullDevice
        try agent.run()
        defer {
            if agent.isRunning {
                kill(agent.processIdentifier, SIGKILL)
                agent.waitUntilExit()
            }
        }
        func logged() -> String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
        try await Polling.until("the agent warns about its API server address", timeout: .seconds(120)) {
            logged().contains("the only API server address is 10.96.0.1:443 (KUBERNETES_SERVICE_HOST)")
        }
        var readiness = ""
        try await Polling.until("/readyz carries the warning", timeout: .seconds(60), context: { readiness }) {
            readiness = try Shell.run("curl", ["-s", "-w", "\n%{http_code}", "http://127.0.0.1:\(port)/readyz"]).stdout
            return readiness.contains("[!]api-server the only API server address is 10.96.0.1:443")
        }
        #expect(readiness.hasSuffix("503"), "not ready while the API server cannot answer: \(readiness)")
        #expect(logged().contains("set kubernetes.apiServer"), "\(logged())")
    }

    @Test func anInvalidRoutesFileIsRejectedWholeWithOneErrorPerProblem() throws {
        let fixture = try node()
        defer { try? fixture.remove() }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rudder-routes-\(UUID()).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        try """
        routes:
          - prefix: 10.244.1.0/24
            via: 192.168.1.11
          - prefix: 10.244.2.0/33
            via: 192.168.1.12
          - prefix: 10.244.3.0/24
            via: fd00:1::13
          - prefix: 10.244.4.0/24
            via: 192.168.1.14
            color: blue
        """.write(to: file, atomically: true, encoding: .utf8)
        let result = try Shell.run(Self.rudder, ["routes", "apply", "--file", file.path, "--namespace", fixture.name])
        #expect(result.status == 1)
        let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix(file.path) }
        #expect(errors.count == 3, "\(result.stderr)")
        #expect(errors.contains { $0.hasPrefix("\(file.path):4:") && $0.contains("10.244.2.0/33") })
        #expect(errors.contains { $0.hasPrefix("\(file.path):7:") && $0.contains("fd00:1::13") })
        #expect(errors.contains { $0.hasPrefix("\(file.path):10:") && $0.contains("color") })
        #expect(result.stderr.contains("nothing was applied"))
        // The one valid route of the file was not applied either.
        #expect(try fixture.ip("route", "show", "proto", "44").isEmpty)
    }

    /// `rudder proxy apply` and `list` in a User-Mode Linux guest: a bad service is reported with
    /// its line and skipped, the good one is programmed, and a second apply changes nothing.
    @Test(.userModeLinux, .inGuest(modules: MasqueradeTrafficTests.modules))
    func proxyApplyAndListInGuest() async throws {
        let file = "/run/rudder-services.yaml"
        let record = "/run/rudder-record"
        try Self.writeGuestServices(
            to: file,
            """
              - name: default/web
                clusterIPs: [10.96.0.10]
                ports: [{name: http, port: 80, targetPort: 8080}]
                endpoints: [{address: 10.200.1.2}]
              - name: default/broken
                clusterIPs: [10.96.0.11]
                ports: [{name: http, port: 70000}]
            """)
        let applied = try Shell.run(Self.rudder, ["proxy", "apply", "--file", file, "--record", record])
        #expect(applied.status == 2, "\(applied)")
        #expect(applied.stderr.contains("\(file):12:"), "\(applied.stderr)")
        #expect(applied.stderr.contains("default/broken") && applied.stderr.contains("70000"))
        let saved = try Shell.check("ipvsadm", ["-Sn"])
        #expect(saved.contains("-A -t 10.96.0.10:80 -s rr"))
        #expect(saved.contains("-a -t 10.96.0.10:80 -r 10.200.1.2:8080 -m -w 1"))
        #expect(!saved.contains("10.96.0.11"))
        // The masquerade rule and the pod-subnet set (the guest kernel has only legacy iptables).
        let rules = try Shell.check("iptables-legacy", ["-t", "nat", "-S", "RUDDER-POSTROUTING"])
        #expect(rules.contains("MASQUERADE"), "\(rules)")
        #expect(try Shell.check("ipset", ["list", "RUDDER-POD-SUBNETS"]).contains("10.200.0.0/16"))
        let local = try Shell.check("ip", ["route", "show", "table", "local", "10.96.0.10"])
        #expect(local.contains("dev kube-dummy-if") && local.contains("src 10.201.0.1"), "\(local)")
        let listed = try Shell.check(Self.rudder, ["proxy", "list", "--record", record])
        #expect(listed.contains("TCP  10.96.0.10:80 rr  # default/web"), "\(listed)")
        let json = try Shell.check(Self.rudder, ["proxy", "list", "-o", "json", "--record", record])
        let services = try #require(
            try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]], "\(json)")
        let web = try #require(services.first { $0["owner"] as? String == "default/web" }, "\(json)")
        #expect(web["scheduler"] as? String == "rr" && web["owned"] as? Bool == true, "\(web)")
        let servers = try #require(web["realServers"] as? [[String: Any]])
        #expect(servers.first?["address"] as? String == "10.200.1.2" && servers.first?["port"] as? Int == 8080)
        let again = try Shell.run(Self.rudder, ["proxy", "apply", "--file", file, "--record", record])
        #expect(again.stdout.contains("applied 0 IPVS operations"), "\(again)")
    }

    /// `rudder cleanup` in a guest, after `rudder proxy apply` (IPVS, a VIP on kube-dummy-if, the
    /// masquerade and firewall chains and sets) and `rudder routes apply`: everything of Rudder's
    /// goes, and a foreign route, IPVS service, ipset, chain and address stay byte for byte. A dry
    /// run changes nothing; a second run finds nothing.
    @Test(.userModeLinux, .inGuest(modules: MasqueradeTrafficTests.modules))
    func cleanupRemovesWhatRudderOwnsAndNothingElse() async throws {
        let record = "/run/rudder-cleanup/ipvs-services"
        let config = "/run/rudder-cleanup.yaml"
        let services = "/run/rudder-cleanup-services.yaml"
        let routes = "/run/rudder-cleanup-routes.yaml"
        try Shell.check("ip", ["link", "add", "node0", "type", "dummy"])
        try Shell.check("ip", ["link", "set", "node0", "up"])
        try Shell.check("ip", ["address", "add", "192.168.1.10/24", "dev", "node0"])
        try """
        serviceProxy:
          ownershipRecord: \(record)
          iptables: legacy
        """.write(toFile: config, atomically: true, encoding: .utf8)
        try Self.writeGuestServices(
            to: services,
            """
              - name: default/web
                clusterIPs: [10.96.0.10]
                loadBalancerIPs: [10.203.0.10]
                loadBalancerSourceRanges: [192.0.2.0/24]
                ports: [{name: http, port: 80, targetPort: 8080}]
                endpoints: [{address: 10.200.1.2}]
            """)
        try "routes:\n  - prefix: 10.244.2.0/24\n    via: 192.168.1.11\n".write(
            toFile: routes, atomically: true, encoding: .utf8)
        try Shell.check(Self.rudder, ["proxy", "apply", "--file", services, "--record", record])
        try Shell.check(Self.rudder, ["routes", "apply", "--config", config, "--file", routes])

        // What is not Rudder's, beside it.
        try Shell.check("ip", ["route", "add", "10.99.0.0/24", "via", "192.168.1.12", "proto", "static"])
        try Shell.check("ipvsadm", ["-A", "-t", "10.97.0.1:80", "-s", "rr"])
        try Shell.check("ipvsadm", ["-a", "-t", "10.97.0.1:80", "-r", "10.200.9.9:80", "-m"])
        try Shell.check("ipset", ["create", "FOREIGN", "hash:ip"])
        try Shell.check("ipset", ["add", "FOREIGN", "10.1.2.3"])
        try Shell.check("iptables-legacy", ["-t", "nat", "-N", "FOREIGN-CHAIN"])
        try Shell.check("iptables-legacy", ["-t", "nat", "-A", "FOREIGN-CHAIN", "-s", "10.1.0.0/16", "-j", "RETURN"])
        try Shell.check("iptables-legacy", ["-t", "nat", "-A", "POSTROUTING", "-j", "FOREIGN-CHAIN"])
        try Shell.check("ip", ["address", "add", "10.98.0.1/32", "dev", "lo"])

        func state() throws -> [String: String] {
            // iptables-save without its timestamps and packet counters (the guest's own traffic on lo).
            func rules(_ text: String) -> String {
                text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map {
                    $0.replacing(/\[\d+:\d+\]/, with: "[0:0]")
                }.joined(separator: "\n")
            }
            return [
                "routes": try Shell.check("ip", ["route", "show", "table", "all"]),
                "ipvs": try Shell.check("ipvsadm", ["-Sn"]),
                "sets": try Shell.check("ipset", ["save"]),
                "nat": rules(try Shell.check("iptables-legacy-save", ["-t", "nat"])),
                "filter": rules(try Shell.check("iptables-legacy-save", ["-t", "filter"])),
                "addresses": try Shell.check("ip", ["address", "show", "dev", "lo"]),
                "links": try Shell.check("ip", ["-o", "link", "show"]),
            ]
        }
        let before = try state()
        #expect(before["ipvs"]!.contains("10.96.0.10:80") && before["sets"]!.contains("RUDDER-LB-FIREWALL"))
        #expect(before["nat"]!.contains("RUDDER-POSTROUTING") && before["filter"]!.contains("RUDDER-FIREWALL"))
        #expect(before["links"]!.contains("kube-dummy-if") && before["routes"]!.contains("proto 44"))

        let dry = try Shell.run(Self.rudder, ["cleanup", "--config", config, "--dry-run"])
        #expect(dry.succeeded, "\(dry)")
        #expect(dry.stdout.contains("would remove route 10.244.2.0/24 table main proto 44"), "\(dry.stdout)")
        #expect(dry.stdout.contains("would remove IPVS service"), "\(dry.stdout)")
        #expect(dry.stdout.contains("would remove link kube-dummy-if"), "\(dry.stdout)")
        #expect(try state() == before, "a dry run changes nothing")

        let cleaned = try Shell.run(Self.rudder, ["cleanup", "--config", config])
        #expect(cleaned.succeeded, "\(cleaned)")
        let after = try state()
        // Rudder's, gone.
        #expect(!after["routes"]!.contains("proto 44"), "\(after["routes"]!)")
        #expect(!after["links"]!.contains("kube-dummy-if"))
        #expect(!after["sets"]!.contains("RUDDER-"), "\(after["sets"]!)")
        #expect(!after["nat"]!.contains("RUDDER-") && !after["filter"]!.contains("RUDDER-"))
        #expect(!FileManager.default.fileExists(atPath: record))
        // The rest, byte for byte: each view is the one before with Rudder's lines taken out.
        func foreign(_ text: String) -> [String] {
            text.split(separator: "\n").map(String.init).filter {
                !$0.contains("RUDDER-") && !$0.contains("proto 44") && !$0.contains("kube-dummy-if")
                    && !$0.contains("10.96.0.10") && !$0.contains("10.203.0.10")
            }
        }
        for key in ["routes", "ipvs", "sets", "nat", "filter"] {
            #expect(foreign(after[key]!) == foreign(before[key]!), "\(key): \(after[key]!)")
        }
        #expect(after["ipvs"]!.contains("-a -t 10.97.0.1:80 -r 10.200.9.9:80 -m -w 1"))
        #expect(after["routes"]!.contains("10.99.0.0/24 via 192.168.1.12 dev node0 proto static"))
        #expect(after["sets"]!.contains("add FOREIGN 10.1.2.3"))
        #expect(after["addresses"] == before["addresses"])

        let again = try Shell.run(Self.rudder, ["cleanup", "--config", config])
        #expect(again.succeeded && again.stdout.contains("nothing of Rudder's on this node"), "\(again)")
    }
}
