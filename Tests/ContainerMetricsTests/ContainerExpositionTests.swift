import ContainerMetrics
import HSPerfData
import RudderLab
import Testing

@Suite("Container series in the exposition, from a hand-built scrape")
struct ContainerExpositionTests {
    static let mebibyte: UInt64 = 1 << 20
    static let uid = "3b6f2a1c-8d4e-4f5a-9b7c-1d2e3f4a5b6c"
    static func id(_ digit: Character) -> String { String(repeating: digit, count: 64) }

    static func container(_ kind: ContainerCgroupKind, id: String?) -> DiscoveredContainer {
        let path = "/kubepods/burstable/pod\(uid)" + (id.map { "/" + $0 } ?? "")
        return DiscoveredContainer(
            cgroupPath: path, directory: "/sys/fs/cgroup/memory" + path, kind: kind, podUID: uid, containerID: id,
            runtime: .unknown, qos: .burstable)
    }

    static func memory(usage: UInt64, limit: UInt64?, oomKills: UInt64? = 0) -> ContainerMemory {
        var memory = ContainerMemory(version: .v1, usageBytes: usage)
        memory.workingSetBytes = usage / 2
        memory.rssBytes = usage / 4
        memory.cacheBytes = usage / 8
        memory.swapBytes = 0
        memory.mappedFileBytes = 4096
        memory.failcnt = 3
        memory.maxUsageBytes = usage + 1
        memory.limitBytes = limit
        memory.reservationBytes = nil
        memory.oomKills = oomKills
        return memory
    }

    static func jvm(pid: Int32, ceiling: UInt64, perfData: Bool) -> JVMReport {
        let options = JVMOptions(["-Xmx\(ceiling / mebibyte)m"])
        let nonHeap = JVMNonHeapEstimate(
            options: options, heapCeiling: ceiling, threads: 20, metaspaceCommitted: perfData ? 30 * mebibyte : nil)
        return JVMReport(
            pid: pid, namespacePid: 1, launcher: "java", javaCommand: perfData ? "Main" : nil,
            vmArguments: ["-Xmx\(ceiling / mebibyte)m"], perfDataPath: perfData ? "/proc/\(pid)/root/tmp/x/1" : nil,
            collector: perfData ? .g1 : .serial, heapCeiling: ceiling,
            heapCeilingSource: perfData ? .perfData : .options,
            heap: perfData ? JVMMemoryPool(used: 10 * mebibyte, committed: 20 * mebibyte, max: ceiling) : nil,
            metaspace: perfData ? JVMMemoryPool(used: 25 * mebibyte, committed: 30 * mebibyte, max: nil) : nil,
            compressedClassSpace: perfData
                ? JVMMemoryPool(used: 3 * mebibyte, committed: 4 * mebibyte, max: 1 << 30) : nil,
            liveThreads: perfData ? 12 : nil, nativeThreads: 20,
            collectors: perfData
                ? [
                    JVMCollector(name: "G1 Young Generation", invocations: 7, seconds: 0.25),
                    JVMCollector(name: "G1 Old Generation", invocations: 0, seconds: 0),
                ] : [],
            options: options, nonHeapWorstCase: nonHeap)
    }

    /// A pod, a tight JVM container (limit 105% of -Xmx), a roomy one with two JVMs, one without
    /// perf data (limit 130% of their sum), and a container without a JVM and without a limit.
    static func scrape() -> ContainerScrape {
        let tight = jvm(pid: 101, ceiling: 200 * mebibyte, perfData: true)
        let roomyA = jvm(pid: 201, ceiling: 100 * mebibyte, perfData: true)
        let roomyB = jvm(pid: 202, ceiling: 60 * mebibyte, perfData: false)
        let tightLimit = 210 * mebibyte
        let roomyLimit = 208 * mebibyte
        return ContainerScrape(
            samples: [
                ContainerSample(
                    container: container(.pod, id: nil), memory: memory(usage: 900 * mebibyte, limit: 2048 * mebibyte),
                    jvm: JVMScan(jvms: [], problems: [], headroom: nil)),
                ContainerSample(
                    container: container(.container, id: id("a")),
                    memory: memory(usage: 150 * mebibyte, limit: tightLimit),
                    jvm: JVMScan(jvms: [tight], problems: [], headroom: Headroom(limit: tightLimit, jvms: [tight]))),
                ContainerSample(
                    container: container(.container, id: id("b")),
                    memory: memory(usage: 160 * mebibyte, limit: roomyLimit),
                    jvm: JVMScan(
                        jvms: [roomyA, roomyB], problems: [],
                        headroom: Headroom(limit: roomyLimit, jvms: [roomyA, roomyB]))),
                ContainerSample(
                    container: container(.container, id: id("c")),
                    memory: memory(usage: 5 * mebibyte, limit: nil, oomKills: 2),
                    jvm: JVMScan(jvms: [], problems: [], headroom: nil)),
            ], problems: ["one"])
    }

    static func exposition() throws -> ScrapedExposition {
        var text = PrometheusText()
        ContainerExposition.write(scrape(), labels: ContainerLabels.init(pathOnly:), into: &text)
        return try ScrapedExposition(text.text)
    }

    @Test("every family appears once, with HELP and TYPE, and all its samples right under it")
    func families() throws {
        let exposition = try Self.exposition()
        let names = exposition.types.map(\.name)
        #expect(Set(names).count == names.count, "\(names)")
        #expect(exposition.helps == names)
        for (index, sample) in exposition.samples.enumerated() {
            #expect(exposition.familyOfSample[index] == sample.name, "\(sample)")
        }
        for (name, type) in exposition.types {
            #expect(!exposition.samples(name).isEmpty, "\(name) has no samples")
            #expect(type == (name.hasSuffix("_total") ? "counter" : "gauge"), "\(name) \(type)")
        }
        #expect(
            Set(names).isSuperset(of: [
                "container_memory_usage_bytes", "container_memory_working_set_bytes", "container_memory_rss",
                "container_memory_cache", "container_memory_swap", "container_memory_mapped_file",
                "container_memory_failcnt", "container_memory_max_usage_bytes", "container_spec_memory_limit_bytes",
                "container_spec_memory_reservation_limit_bytes", "container_oom_events_total", "rudder_jvm_info",
                "rudder_jvm_heap_ceiling_bytes", "rudder_jvm_heap_used_bytes", "rudder_jvm_heap_committed_bytes",
                "rudder_jvm_metaspace_used_bytes", "rudder_jvm_metaspace_committed_bytes",
                "rudder_jvm_compressed_class_space_used_bytes", "rudder_jvm_compressed_class_space_committed_bytes",
                "rudder_jvm_compressed_class_space_max_bytes", "rudder_jvm_threads_live",
                "rudder_jvm_nonheap_worst_case_bytes", "rudder_jvm_gc_collections_total",
                "rudder_jvm_gc_collection_seconds_total", "rudder_container_jvm_heap_ceiling_bytes",
                "rudder_container_jvm_limit_ratio", "rudder_container_jvm_nonheap_room_bytes",
                "rudder_container_jvm_margin_ok", "rudder_container_jvm_margin_required_ratio",
                "rudder_container_jvm_nonheap_worst_case_bytes",
            ]))
        // No JVM bounds its metaspace, so that family has nothing to say and is left out.
        #expect(!names.contains("rudder_jvm_metaspace_max_bytes"))
    }

    @Test("memory series cover every cgroup; no limit is 0, as cAdvisor writes it")
    func memory() throws {
        let exposition = try Self.exposition()
        #expect(exposition.samples("container_memory_usage_bytes").count == 4)
        let pod = try #require(exposition.sample("container_memory_usage_bytes", ["container": ""]))
        #expect(pod.value == Double(900 * Self.mebibyte))
        #expect(pod["pod"] == "pod" + Self.uid && pod["container_id"] == "")
        let tight = ["container_id": Self.id("a")]
        #expect(exposition.sample("container_spec_memory_limit_bytes", tight)?.value == Double(210 * Self.mebibyte))
        #expect(exposition.sample("container_spec_memory_limit_bytes", ["container_id": Self.id("c")])?.value == 0)
        #expect(exposition.sample("container_oom_events_total", ["container_id": Self.id("c")])?.value == 2)
        #expect(exposition.sample("container_memory_working_set_bytes", tight)?.value == Double(75 * Self.mebibyte))
    }

    @Test("a container without JVMs, and a pod, have no JVM or headroom series")
    func noJVMNoSeries() throws {
        let exposition = try Self.exposition()
        for sample in exposition.samples where sample.name.hasPrefix("rudder_") {
            #expect(sample["container_id"] != Self.id("c") && sample["container"] != "", "\(sample)")
        }
        #expect(exposition.samples("rudder_jvm_heap_ceiling_bytes").count == 3)
        #expect(exposition.samples("rudder_container_jvm_margin_ok").count == 2)
    }

    @Test("JVM series carry the pid; the one without perf data has only what its flags tell")
    func jvms() throws {
        let exposition = try Self.exposition()
        let info = try #require(exposition.sample("rudder_jvm_info", ["pid": "101"]))
        #expect(info["gc"] == "g1" && info["ceiling_source"] == "perfData" && info.value == 1)
        #expect(exposition.sample("rudder_jvm_info", ["pid": "202"])?["ceiling_source"] == "options")
        #expect(exposition.sample("rudder_jvm_heap_ceiling_bytes", ["pid": "202"])?.value == Double(60 * Self.mebibyte))
        #expect(exposition.sample("rudder_jvm_heap_used_bytes", ["pid": "202"]) == nil)
        #expect(exposition.sample("rudder_jvm_heap_used_bytes", ["pid": "201"])?.value == Double(10 * Self.mebibyte))
        #expect(exposition.sample("rudder_jvm_threads_live", ["pid": "101"])?.value == 12)
        let young = try #require(
            exposition.sample("rudder_jvm_gc_collection_seconds_total", ["pid": "101", "gc": "G1 Young Generation"]))
        #expect(young.value == 0.25)
        #expect(exposition.samples("rudder_jvm_gc_collections_total").count == 4)
        // Worst case outside the heap: metaspace committed + 240 MiB code cache + 20 × 1 MiB stacks + heap as direct memory.
        #expect(
            exposition.sample("rudder_jvm_nonheap_worst_case_bytes", ["pid": "101"])?.value
                == Double((30 + 240 + 20 + 200) * Self.mebibyte))
    }

    @Test("headroom: ceiling sums, ratio, room, margin flag, required margin, worst case")
    func headroom() throws {
        let exposition = try Self.exposition()
        let tight = ["container_id": Self.id("a")]
        let roomy = ["container_id": Self.id("b")]
        #expect(
            exposition.sample("rudder_container_jvm_heap_ceiling_bytes", tight)?.value == Double(200 * Self.mebibyte))
        #expect(
            exposition.sample("rudder_container_jvm_heap_ceiling_bytes", roomy)?.value == Double(160 * Self.mebibyte))
        #expect(exposition.sample("rudder_container_jvm_limit_ratio", tight)?.value == 1.05)
        #expect(exposition.sample("rudder_container_jvm_limit_ratio", roomy)?.value == 1.3)
        #expect(
            exposition.sample("rudder_container_jvm_nonheap_room_bytes", tight)?.value == Double(10 * Self.mebibyte))
        #expect(exposition.sample("rudder_container_jvm_margin_ok", tight)?.value == 0)
        #expect(exposition.sample("rudder_container_jvm_margin_ok", roomy)?.value == 1)
        #expect(exposition.sample("rudder_container_jvm_margin_required_ratio", roomy)?.value == 0.2)
        #expect(
            exposition.sample("rudder_container_jvm_nonheap_worst_case_bytes", roomy)?.value
                == Double(((30 + 240 + 20 + 100) + (0 + 240 + 20 + 60)) * Self.mebibyte))
        // A limit below the ceiling leaves negative room.
        var text = PrometheusText()
        let small = Self.jvm(pid: 9, ceiling: 100 * Self.mebibyte, perfData: false)
        let over = ContainerScrape(samples: [
            ContainerSample(
                container: Self.container(.container, id: Self.id("d")),
                memory: Self.memory(usage: 1, limit: 90 * Self.mebibyte),
                jvm: JVMScan(jvms: [small], problems: [], headroom: Headroom(limit: 90 * Self.mebibyte, jvms: [small])))
        ])
        ContainerExposition.write(over, labels: ContainerLabels.init(pathOnly:), into: &text)
        let negative = try ScrapedExposition(text.text)
        #expect(negative.samples("rudder_container_jvm_nonheap_room_bytes").first?.value == -Double(10 * Self.mebibyte))
    }

    @Test("an empty scrape writes nothing; names come from the labels function")
    func emptyAndNamed() throws {
        var empty = PrometheusText()
        ContainerExposition.write(ContainerScrape(), labels: ContainerLabels.init(pathOnly:), into: &empty)
        #expect(empty.bytes.isEmpty)
        var text = PrometheusText()
        ContainerExposition.write(
            Self.scrape(),
            labels: { _ in
                ContainerLabels(namespace: "shop", pod: "web-1", container: "app", containerID: "containerd://x")
            }, into: &text)
        let exposition = try ScrapedExposition(text.text)
        #expect(exposition.samples.allSatisfy { $0["namespace"] == "shop" && $0["pod"] == "web-1" })
    }
}
