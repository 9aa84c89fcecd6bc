/// Writes a scrape's containers as Prometheus series.
///
/// Memory series keep cAdvisor's names and meanings, so dashboards built on kubelet's cAdvisor
/// keep working; JVM and headroom series are Rudder's own (`rudder_jvm_*`,
/// `rudder_container_jvm_*`). docs/metrics.md lists every series.
public enum ContainerExposition {
    private typealias MemoryFigure = (name: String, help: String, value: @Sendable (ContainerMemory) -> UInt64?)

    /// cAdvisor's memory series. Where cAdvisor writes 0 for "no limit", so does this.
    private static let memoryFigures: [MemoryFigure] = [
        ("container_memory_usage_bytes", "Current memory usage, page cache included.", { $0.usageBytes }),
        (
            "container_memory_working_set_bytes", "Usage less inactive file cache: what the OOM killer weighs.",
            { $0.workingSetBytes }
        ),
        ("container_memory_rss", "Anonymous and swap cache memory.", { $0.rssBytes }),
        ("container_memory_cache", "Page cache.", { $0.cacheBytes }),
        ("container_memory_swap", "Swap usage.", { $0.swapBytes }),
        ("container_memory_mapped_file", "Memory-mapped files, shared libraries included.", { $0.mappedFileBytes }),
        (
            "container_memory_failcnt", "Times usage hit the limit (cgroup v1 only; a gauge here, as promtool wants).",
            { $0.failcnt }
        ),
        ("container_memory_max_usage_bytes", "Highest usage recorded.", { $0.maxUsageBytes }),
        ("container_spec_memory_limit_bytes", "Memory limit; 0 when there is none.", { $0.limitBytes ?? 0 }),
        (
            "container_spec_memory_reservation_limit_bytes", "Memory reservation (soft limit, or memory.min on v2).",
            { $0.reservationBytes ?? 0 }
        ),
    ]

    /// Writes every container's series; `labels` names each container.
    public static func write(
        _ scrape: ContainerScrape, labels: (DiscoveredContainer) -> ContainerLabels, into text: inout PrometheusText
    ) {
        let named = scrape.samples.map { (sample: $0, labels: labels($0.container).prometheus) }
        for figure in memoryFigures {
            let values = named.compactMap { entry in figure.value(entry.sample.memory).map { (entry.labels, $0) } }
            guard !values.isEmpty else { continue }
            text.family(figure.name, .gauge, help: figure.help)
            for (labels, value) in values { text.sample(figure.name, labels, value) }
        }
        let kills = named.compactMap { entry in entry.sample.memory.oomKills.map { (entry.labels, $0) } }
        if !kills.isEmpty {
            text.family("container_oom_events_total", .counter, help: "OOM kills in the container's cgroup.")
            for (labels, value) in kills { text.sample("container_oom_events_total", labels, value) }
        }
        writeJVMs(named, into: &text)
        writeHeadroom(named, into: &text)
    }

    private static func writeJVMs(
        _ named: [(sample: ContainerSample, labels: PrometheusText.Labels)], into text: inout PrometheusText
    ) {
        let jvms = named.flatMap { entry in
            entry.sample.jvm.jvms.map { (jvm: $0, labels: entry.labels.adding("pid", String($0.pid))) }
        }
        guard !jvms.isEmpty else { return }
        text.family(
            "rudder_jvm_info", .gauge,
            help: "A JVM found in a container: its collector and where its ceiling came from.")
        for entry in jvms {
            text.sample(
                "rudder_jvm_info",
                entry.labels.adding("gc", entry.jvm.collector.rawValue).adding(
                    "ceiling_source", entry.jvm.heapCeilingSource.rawValue), UInt64(1))
        }
        gauge(
            "rudder_jvm_heap_ceiling_bytes", "The most heap this JVM may use (its effective -Xmx).", jvms, into: &text
        ) {
            $0.heapCeiling
        }
        gauge("rudder_jvm_heap_used_bytes", "Heap in use.", jvms, into: &text) { $0.heap?.used }
        gauge("rudder_jvm_heap_committed_bytes", "Heap committed.", jvms, into: &text) { $0.heap?.committed }
        gauge("rudder_jvm_metaspace_used_bytes", "Metaspace in use (updated at GC).", jvms, into: &text) {
            $0.metaspace?.used
        }
        gauge("rudder_jvm_metaspace_committed_bytes", "Metaspace committed.", jvms, into: &text) {
            $0.metaspace?.committed
        }
        gauge("rudder_jvm_metaspace_max_bytes", "MaxMetaspaceSize, when bounded.", jvms, into: &text) {
            $0.metaspace?.max
        }
        gauge("rudder_jvm_compressed_class_space_used_bytes", "Compressed class space in use.", jvms, into: &text) {
            $0.compressedClassSpace?.used
        }
        gauge(
            "rudder_jvm_compressed_class_space_committed_bytes", "Compressed class space committed.", jvms, into: &text
        ) {
            $0.compressedClassSpace?.committed
        }
        gauge("rudder_jvm_compressed_class_space_max_bytes", "CompressedClassSpaceSize.", jvms, into: &text) {
            $0.compressedClassSpace?.max
        }
        gauge("rudder_jvm_threads_live", "Live Java threads.", jvms, into: &text) {
            $0.liveThreads.map { UInt64(max($0, 0)) }
        }
        gauge(
            "rudder_jvm_nonheap_worst_case_bytes",
            "Worst case outside the heap, from ceilings: metaspace + code cache + threads × stack + direct memory.",
            jvms, into: &text
        ) { $0.nonHeapWorstCase.total }
        let collectors = jvms.flatMap { entry in entry.jvm.collectors.map { (entry.labels.adding("gc", $0.name), $0) } }
        guard !collectors.isEmpty else { return }
        text.family("rudder_jvm_gc_collections_total", .counter, help: "Collections by each garbage collector.")
        for (labels, collector) in collectors {
            text.sample("rudder_jvm_gc_collections_total", labels, collector.invocations)
        }
        text.family("rudder_jvm_gc_collection_seconds_total", .counter, help: "Time spent in each garbage collector.")
        for (labels, collector) in collectors {
            text.sample("rudder_jvm_gc_collection_seconds_total", labels, collector.seconds)
        }
    }

    private static func gauge(
        _ name: String, _ help: String, _ jvms: [(jvm: JVMReport, labels: PrometheusText.Labels)],
        into text: inout PrometheusText, _ value: (JVMReport) -> UInt64?
    ) {
        let values = jvms.compactMap { entry in value(entry.jvm).map { (entry.labels, $0) } }
        guard !values.isEmpty else { return }
        text.family(name, .gauge, help: help)
        for (labels, value) in values { text.sample(name, labels, value) }
    }

    /// One headroom family: its name, help, and how a container's headroom becomes its sample.
    private typealias HeadroomFigure = (
        name: String, help: String,
        write: @Sendable (inout PrometheusText, String, PrometheusText.Labels, Headroom) -> Void
    )

    private static let headroomFigures: [HeadroomFigure] = [
        (
            "rudder_container_jvm_heap_ceiling_bytes", "Sum of the heap ceilings of the container's JVMs.",
            { $0.sample($1, $2, $3.heapCeiling) }
        ),
        (
            "rudder_container_jvm_limit_ratio", "The container's memory limit over its JVMs' heap ceiling.",
            { $0.sample($1, $2, $3.ratio) }
        ),
        (
            "rudder_container_jvm_nonheap_room_bytes",
            "The limit less the heap ceiling: what is left for everything outside the heap (negative: none).",
            { $0.sample($1, $2, $3.bytesLeftForNonHeap) }
        ),
        (
            "rudder_container_jvm_margin_ok",
            "1 when the limit keeps the required margin above the heap ceiling, 0 when it does not.",
            { $0.sample($1, $2, UInt64($3.keepsMargin ? 1 : 0)) }
        ),
        (
            "rudder_container_jvm_margin_required_ratio",
            "The margin the limit must keep above the heap ceiling (0.2: 20%).",
            { $0.sample($1, $2, $3.requiredMargin) }
        ),
        (
            "rudder_container_jvm_nonheap_worst_case_bytes",
            "The JVMs' worst case outside their heaps, from ceilings (far above what they usually commit).",
            { $0.sample($1, $2, $3.nonHeapWorstCase) }
        ),
    ]

    private static func writeHeadroom(
        _ named: [(sample: ContainerSample, labels: PrometheusText.Labels)], into text: inout PrometheusText
    ) {
        let rooms = named.compactMap { entry in entry.sample.jvm.headroom.map { (entry.labels, $0) } }
        guard !rooms.isEmpty else { return }
        for figure in headroomFigures {
            text.family(figure.name, .gauge, help: figure.help)
            for (labels, room) in rooms { figure.write(&text, figure.name, labels, room) }
        }
    }
}
