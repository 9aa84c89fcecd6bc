import Agent
import Foundation
import RudderLab
import Testing

/// `/metrics` end to end on this host's cgroup v1: the agent (in-process, in-memory kernels)
/// follows the test API server's Pods on node-a, whose containers are real cgroups in kubelet's
/// layout running real OpenJDK 17 JVMs; scraped over HTTP, checked against `jcmd` and `promtool`,
/// and scraped by a real Prometheus.
// Skips only on a host without root or without a cgroup v1 memory hierarchy: these JVMs size their
// heaps from v1 limits (DESIGN.md); CgroupV2GuestTests cover cgroup v2. java and jcmd come with
// openjdk-17-jdk-headless, which the test command installs; without them this fails, not skips.
@Suite(.enabled(if: JVMTestFixture.available, "needs root and the host's cgroup v1 memory hierarchy"))
struct ContainerMetricsAgentTests {
    /// One scrape of `/metrics` over HTTP: the status code and the body.
    static func scrape(_ lab: AgentLab) async throws -> (status: Int, text: String) {
        let port = try #require(lab.http.boundPort)
        let result = try await offPool {
            try Shell.run("curl", ["-s", "-w", "\n%{http_code}", "http://127.0.0.1:\(port)/metrics"])
        }
        let status = result.stdout.split(separator: "\n").last.flatMap { Int($0) } ?? 0
        return (status, String(result.stdout.dropLast(String(status).count)))
    }

    /// Scrapes until the Pod informer has named `pods`' containers.
    static func scrapeNamed(_ lab: AgentLab, _ pods: [JVMPods.Container]) async throws -> ScrapedExposition {
        var latest: ScrapedExposition?
        try await lab.waitUntil("the scrape names every pod") {
            // A blocking wait on a short local request; Polling takes a synchronous condition.
            guard let port = lab.http.boundPort,
                let text = try? Shell.check("curl", ["-sf", "http://127.0.0.1:\(port)/metrics"])
            else { return false }
            let exposition = try ScrapedExposition(text)
            latest = exposition
            return pods.allSatisfy { exposition.sample("container_memory_usage_bytes", $0.labels) != nil }
        }
        return try #require(latest)
    }

    static func configure(
        _ fixture: JVMTestFixture, extraSearchPaths: [String] = []
    ) -> (inout RudderConfiguration)
        -> Void
    {
        { $0.metrics.cgroupSearchPaths = [fixture.parentCgroupPath] + extraSearchPaths }
    }

    @Test("JVM ceilings equal jcmd's, labels are the Pods' names, margins flag the 5% limit, promtool accepts it")
    func scrapeOfJVMPods() async throws {
        let fixture = try JVMTestFixture(prefix: "rudder-test")
        defer { fixture.cleanUp() }
        let pods = try await JVMPods.start(JVMPods.tightAndRoomy, in: fixture)
        let (tight, roomy) = (pods.containers[0], pods.containers[1])
        // A third container, without a process, under a second search path that will vanish.
        let (doomed, _) = try JVMPods.layout(
            .init(pod: "doomed", name: "gone", heapMiB: 64, limitPercent: 200), in: fixture, under: "doomed")

        try await AgentLab.with(
            extra: [tight.podJSON, roomy.podJSON, doomed.podJSON],
            configure: Self.configure(fixture, extraSearchPaths: [fixture.parentCgroupPath + "/doomed"])
        ) { lab in
            let first = try await Self.scrapeNamed(lab, [tight, roomy, doomed])
            #expect(first.sample("rudder_container_scrape_problems", [:])?.value == 0, "\(lab.log.text)")
            for (container, marginOK) in [(tight, 0.0), (roomy, 1.0)] {
                let jvm = try #require(container.jvm)
                let maxHeapSize = try await JVMTestFixture.jcmdFlags(jvm.pid).maxHeapSize
                #expect(maxHeapSize == container.heap)
                let labels = container.labels
                let ceiling = try #require(first.sample("rudder_jvm_heap_ceiling_bytes", labels))
                #expect(ceiling.value == Double(maxHeapSize))
                #expect(ceiling["pid"] == String(jvm.pid))
                #expect(ceiling.labels.map(\.name) == ["namespace", "pod", "container", "container_id", "pid"])
                #expect(first.sample("rudder_container_jvm_heap_ceiling_bytes", labels)?.value == Double(maxHeapSize))
                #expect(first.sample("rudder_container_jvm_margin_ok", labels)?.value == marginOK)
                #expect(first.sample("rudder_jvm_info", labels)?["ceiling_source"] == "perfData")
                #expect(first.sample("rudder_jvm_info", labels)?["gc"] == "serial")
                #expect(first.sample("container_spec_memory_limit_bytes", labels)?.value == Double(jvm.limit))
                let usage = try #require(first.sample("container_memory_usage_bytes", labels))
                #expect(usage.value > 0 && usage.value <= Double(jvm.limit))
                #expect(first.sample("container_oom_events_total", labels)?.value == 0)
                let ratio = try #require(first.sample("rudder_container_jvm_limit_ratio", labels))
                #expect(abs(ratio.value - Double(jvm.limit) / Double(maxHeapSize)) < 1e-9)
            }
            // The pods' own cgroups carry the Pods' names and no container.
            #expect(
                first.sample(
                    "container_memory_usage_bytes", ["pod": tight.pod, "namespace": tight.namespace, "container": ""])
                    != nil)
            #expect(first.sample("container_memory_usage_bytes", doomed.labels) != nil)
            #expect(first.samples.allSatisfy { $0.name.hasPrefix("rudder_jvm") == false || $0["pod"] != "doomed" })
            try await Self.promtoolAccepts(first, lab: lab)

            // Bad input: one JVM's perf data loses its magic, and one search path's cgroups vanish.
            let tightPID = try #require(tight.jvm).pid
            let handle = try #require(FileHandle(forWritingAtPath: "/tmp/hsperfdata_root/\(tightPID)"))
            try handle.write(contentsOf: Data([0, 0, 0, 0]))
            try handle.close()
            try fixture.removeCgroup(doomed.cgroup)
            try fixture.removeCgroup(doomed.podCgroup)
            for level in ["/kubepods/burstable", "/kubepods", ""] {
                try fixture.removeCgroup(fixture.parent + "/doomed" + level)
            }
            let (status, text) = try await Self.scrape(lab)
            #expect(status == 200)
            let second = try ScrapedExposition(text)
            #expect(second.sample("rudder_container_scrape_problems", [:])?.value == 2, "\(lab.log.text)")
            #expect(lab.log.text.contains("bad magic"), "\(lab.log.text)")
            #expect(second.sample("container_memory_usage_bytes", doomed.labels) == nil)
            #expect(second.sample("rudder_container_jvm_margin_ok", roomy.labels)?.value == 1)
            // The corrupt JVM keeps its series, its ceiling now read from its command line.
            #expect(second.sample("rudder_jvm_info", tight.labels)?["ceiling_source"] == "options")
            #expect(second.sample("rudder_jvm_heap_ceiling_bytes", tight.labels)?.value == Double(tight.heap))
            #expect(second.sample("rudder_jvm_heap_used_bytes", tight.labels) == nil)
            try await Self.promtoolAccepts(second, lab: lab)

            // A container whose JVM and cgroups go away has no series in the next scrape.
            fixture.kill(try #require(roomy.jvm))
            try fixture.removeCgroup(roomy.cgroup)
            try fixture.removeCgroup(roomy.podCgroup)
            let third = try ScrapedExposition(try await Self.scrape(lab).text)
            #expect(third.samples.allSatisfy { $0["pod"] != roomy.pod && $0["container_id"] != roomy.containerID })
            #expect(third.sample("container_memory_usage_bytes", tight.labels) != nil)
        }
    }

    /// `promtool check metrics` on the scrape as served.
    static func promtoolAccepts(_ exposition: ScrapedExposition, lab: AgentLab) async throws {
        let (status, text) = try await scrape(lab)
        #expect(status == 200)
        let file = lab.directory + "/scrape-\(UUID()).txt"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try await offPool { try Shell.run("/bin/sh", ["-c", "promtool check metrics < '\(file)'"]) }
        #expect(result.succeeded, "promtool: \(result.stdout) \(result.stderr)")
        #expect(!exposition.samples.isEmpty)
    }

    @Test("a JVM with -Xmx far above its limit is OOM-killed by the kernel and counted once")
    func oomKill() async throws {
        let fixture = try JVMTestFixture(prefix: "rudder-test")
        defer { fixture.cleanUp() }
        let (hog, limit) = try JVMPods.layout(
            .init(pod: "batch-1", name: "hog", heapMiB: 96, limitPercent: 100), in: fixture)
        try await AgentLab.with(extra: [hog.podJSON], configure: Self.configure(fixture)) { lab in
            let before = try await Self.scrapeNamed(lab, [hog])
            #expect(before.sample("container_oom_events_total", hog.labels)?.value == 0)
            // -Xmx1g against a 96 MiB limit: the heap outgrows the cgroup long before Java's own limit.
            let end = try await fixture.runJVMToEnd(
                ["-Xmx1g", "-XX:+UseSerialGC"], cgroup: hog.cgroup, mainClass: "Hog")
            #expect(end.signal == SIGKILL, "killed by the kernel, not ended by an OutOfMemoryError: \(end)")
            let after = try ScrapedExposition(try await Self.scrape(lab).text)
            #expect(after.sample("container_oom_events_total", hog.labels)?.value == 1)
            #expect(after.sample("container_spec_memory_limit_bytes", hog.labels)?.value == Double(limit))
            #expect(after.sample("rudder_jvm_heap_ceiling_bytes", hog.labels) == nil)
            #expect(try #require(after.sample("container_memory_failcnt", hog.labels)).value > 0)
        }
    }

    @Test(
        "a real Prometheus scrapes the agent: the margin series arrive with the Pods' names")
    func prometheusScrapesTheAgent() async throws {
        let fixture = try JVMTestFixture(prefix: "rudder-test")
        defer { fixture.cleanUp() }
        let pods = try await JVMPods.start(JVMPods.tightAndRoomy, in: fixture)
        try await AgentLab.with(extra: pods.containers.map(\.podJSON), configure: Self.configure(fixture)) { lab in
            _ = try await Self.scrapeNamed(lab, pods.containers)
            let prometheus = try PrometheusServer(target: "127.0.0.1:\(try #require(lab.http.boundPort))")
            defer { prometheus.stop() }
            var series: [(labels: [String: String], value: String)] = []
            try await Polling.until(
                "Prometheus has both containers' margin series", timeout: .seconds(60), context: { prometheus.log }
            ) {
                series = (try? prometheus.query("rudder_container_jvm_margin_ok")) ?? []
                return series.count == 2
            }
            for (container, value) in zip(pods.containers, ["0", "1"]) {
                let found = try #require(series.first { $0.labels["container_id"] == container.containerID })
                #expect(found.value == value)
                for (name, expected) in container.labels { #expect(found.labels[name] == expected, "\(name)") }
                #expect(found.labels["job"] == "rudder")
            }
            let ceilings = try prometheus.query("rudder_jvm_heap_ceiling_bytes")
            #expect(Set(ceilings.map(\.value)) == Set(pods.containers.map { String($0.heap) }))
            let up = try prometheus.query("up")
            #expect(up.first?.value == "1")
        }
    }

    @Test("rudder jvm lists both JVMs: TOO SMALL for the 5% limit, ok for the 30% one")
    func rudderJVMCommand() async throws {
        let fixture = try JVMTestFixture(prefix: "rudder-test")
        defer { fixture.cleanUp() }
        let pods = try await JVMPods.start(JVMPods.tightAndRoomy, in: fixture)
        let result = try await offPool {
            try Shell.run(RudderCommandTests.rudder, ["jvm", "--cgroup-search-path", fixture.parentCgroupPath])
        }
        #expect(result.succeeded, "\(result)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 3, "\(result.stdout)")
        #expect(lines.first?.hasPrefix("CONTAINER") == true)
        for (container, verdict) in zip(pods.containers, ["TOO SMALL", "ok"]) {
            let name = "pod\(container.uid)/\(container.id.prefix(12))"
            let line = try #require(lines.first { $0.hasPrefix(name) }, "\(result.stdout)")
            #expect(line.hasSuffix(verdict), "\(line)")
            #expect(line.contains(" \(try #require(container.jvm).pid) "), "\(line)")
            #expect(line.contains("\(container.heap >> 20) MiB"), "\(line)")
        }
        let json = try await offPool {
            try Shell.check(
                RudderCommandTests.rudder, ["jvm", "-o", "json", "--cgroup-search-path", fixture.parentCgroupPath])
        }
        let records = try #require(
            try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]], "\(json)")
        #expect(records.count == 2, "\(json)")
        for (container, keepsMargin) in zip(pods.containers, [false, true]) {
            let name = "pod\(container.uid)/\(container.id.prefix(12))"
            let record = try #require(
                records.first { ($0["container"] as? String)?.hasPrefix(name) == true }, "\(json)")
            #expect(record["keepsMargin"] as? Bool == keepsMargin, "\(record)")
            #expect(record["heapCeilingBytes"] as? Int == Int(container.heap), "\(record)")
            #expect(record["pid"] as? Int == Int(try #require(container.jvm).pid), "\(record)")
        }
    }
}
