import ContainerMetrics
import Foundation

/// The table `rudder jvm` prints: one line per JVM, its container's headroom beside it.
public struct JVMTable {
    /// Containers with JVMs.
    let rows: [ContainerSample]
    /// The required margin, in percent, for the heading.
    let margin: Int
    /// What the scrape skipped about JVMs (a corrupt or vanished hsperfdata file, say).
    public let problems: [String]

    /// Scrapes this host's cgroups and /proc as `settings` says: containers with JVMs that have a
    /// memory limit, or with `all` every container with a JVM.
    public init(settings: RudderConfiguration.Metrics, all: Bool) throws {
        let hierarchy = try CgroupHierarchy.detect(root: settings.hostRoot)
        let scraper = ContainerScraper(
            hierarchy: hierarchy,
            mode: settings.plainParent.map { .plain(parent: $0) }
                ?? .kubernetes(searchPaths: settings.cgroupSearchPaths),
            procRoot: settings.procRoot, requiredMargin: Double(settings.jvmMarginPercent) / 100)
        let scrape = scraper.scrape()
        rows = scrape.samples.filter { !$0.jvm.jvms.isEmpty && (all || $0.jvm.headroom != nil) }
        margin = settings.jvmMarginPercent
        problems = scrape.problems.filter { $0.contains("hsperf") || $0.contains("JVM") }
    }

    /// The table, or a sentence when there is nothing to show.
    public var text: String {
        guard !rows.isEmpty else { return "no container runs a JVM" }
        var lines = [
            [
                "CONTAINER", "PID", "GC", "HEAP CEILING", "FROM", "LIMIT", "LIMIT/CEILING", "NON-HEAP ROOM",
                "MARGIN \(margin)%",
            ]
        ]
        for row in rows {
            let name = Self.name(of: row)
            let room = row.jvm.headroom
            for jvm in row.jvm.jvms {
                lines.append([
                    name, String(jvm.pid), jvm.collector.rawValue, Self.mebibytes(jvm.heapCeiling),
                    jvm.heapCeilingSource.rawValue,
                    row.memory.limitBytes.map(Self.mebibytes) ?? "none",
                    room.map { String(format: "%.2f", $0.ratio) } ?? "-",
                    room.map { Self.mebibytes($0.bytesLeftForNonHeap) } ?? "-",
                    room.map { $0.keepsMargin ? "ok" : "TOO SMALL" } ?? "-",
                ])
            }
        }
        return TextTable.render(lines)
    }

    /// The same as JSON (`rudder jvm -o json`): one object per JVM, in bytes.
    public var json: String {
        struct Record: Encodable {
            var container: String, pid: Int32, collector: String
            var heapCeilingBytes: UInt64, heapCeilingSource: String, memoryLimitBytes: UInt64?
            var limitRatio: Double?, nonHeapRoomBytes: Int64?, keepsMargin: Bool?
        }
        var records: [Record] = []
        for row in rows {
            let name = Self.name(of: row)
            let room = row.jvm.headroom
            for jvm in row.jvm.jvms {
                records.append(
                    Record(
                        container: name, pid: Int32(jvm.pid), collector: jvm.collector.rawValue,
                        heapCeilingBytes: jvm.heapCeiling, heapCeilingSource: jvm.heapCeilingSource.rawValue,
                        memoryLimitBytes: row.memory.limitBytes,
                        limitRatio: room.map(\.ratio).flatMap { $0.isFinite ? $0 : nil },
                        nonHeapRoomBytes: room.map(\.bytesLeftForNonHeap), keepsMargin: room.map(\.keepsMargin)))
            }
        }
        return JSONListing.render(records)
    }

    /// "POD-UID/CONTAINER-ID", or the cgroup path of a plain container.
    private static func name(of row: ContainerSample) -> String {
        let labels = ContainerLabels(pathOnly: row.container)
        return row.container.kind == .plain
            ? row.container.cgroupPath : "\(labels.pod)/\(labels.container.isEmpty ? "-" : labels.container)"
    }

    private static func mebibytes(_ bytes: UInt64) -> String {
        String(format: "%.0f MiB", Double(bytes) / 1_048_576)
    }

    private static func mebibytes(_ bytes: Int64) -> String {
        String(format: "%.0f MiB", Double(bytes) / 1_048_576)
    }
}
