import ContainerMetrics
import Foundation
import RudderLab
import Testing

/// The checks against real cgroups, shared by the host's cgroup v1 and a guest's cgroup v2.
enum LiveCgroupScenarios {
    static let mebibyte: UInt64 = 1 << 20
    static let uid = "3b6f2a1c-8d4e-4f5a-9b7c-1d2e3f4a5b6c"
    static let uid2 = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"
    static func id(_ digit: Character) -> String { String(repeating: digit, count: 64) }

    /// Runs `body` with a fresh tree and removes the tree afterwards, also when `body` throws.
    static func withTree(_ body: (CgroupTestTree) async throws -> Void) async throws {
        let tree = try CgroupTestTree()
        do {
            try await body(tree)
        } catch {
            await tree.remove()
            throw error
        }
        await tree.remove()
    }

    /// Writes a memory limit and a reservation the way the cgroup version spells them.
    static func limit(_ tree: CgroupTestTree, _ relative: String, limit: UInt64, reservation: UInt64?) throws {
        let v1 = tree.hierarchy.memoryVersion == .v1
        try tree.write("\(limit)", to: v1 ? "memory.limit_in_bytes" : "memory.max", in: relative)
        if let reservation {
            try tree.write("\(reservation)", to: v1 ? "memory.soft_limit_in_bytes" : "memory.min", in: relative)
        }
    }

    /// A key of a memory.stat file, read with Foundation as a second opinion.
    static func statValue(_ tree: CgroupTestTree, _ relative: String, _ key: String) throws -> UInt64 {
        let text = try String(contentsOfFile: tree.directory(relative) + "/memory.stat", encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix(key + " ") })
        return try #require(UInt64(line.dropFirst(key.count + 1)))
    }

    /// Containers with real processes in both kubelet layouts: discovery finds them, and the figures
    /// agree with the files and with each other.
    static func figuresOfRunningContainers() async throws {
        try await withTree { tree in
            let pod = "kubepods/burstable/pod\(uid)"
            let app = "\(pod)/\(id("a"))"
            let sandbox = "\(pod)/\(id("b"))"
            let systemdPod =
                "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod\(uid2.replacing("-", with: "_")).slice"
            let scoped = "\(systemdPod)/cri-containerd-\(id("c")).scope"
            for cgroup in [app, sandbox, scoped] { try tree.make(cgroup) }
            try limit(tree, app, limit: 256 * mebibyte, reservation: 64 * mebibyte)

            // The app: 8 MiB of page cache (a tmpfs file), then about 50 MiB held by tail (a line it has not finished).
            let ready = tree.scratch + "/ready"
            let appProcess = try tree.run(
                """
                dd if=/dev/zero of='\(tree.tmpfsScratch)/cache' bs=1M count=8 2>/dev/null
                (head -c 50M /dev/zero; touch '\(ready)'; exec sleep 1000) | tail
                """, in: app)
            // The sandbox runs a binary called pause, as the Kubernetes pause image does.
            let pauseBinary = tree.scratch + "/pause"
            try FileManager.default.copyItem(atPath: "/bin/sleep", toPath: pauseBinary)
            let pauseProcess = try tree.run("exec '\(pauseBinary)' 1000", in: sandbox)
            let scopedProcess = try tree.run("exec sleep 1000", in: scoped)
            try await Polling.until("the app holds its memory", timeout: .seconds(120)) {
                FileManager.default.fileExists(atPath: ready)
            }
            try await Polling.until("the sandbox runs pause", timeout: .seconds(60)) {
                try String(contentsOfFile: "/proc/\(pauseProcess.pid)/comm", encoding: .utf8) == "pause\n"
            }
            try await Polling.until("the scoped container runs sleep", timeout: .seconds(60)) {
                try String(contentsOfFile: "/proc/\(scopedProcess.pid)/comm", encoding: .utf8) == "sleep\n"
            }

            let discovery = ContainerDiscovery(
                hierarchy: tree.hierarchy, mode: .kubernetes(searchPaths: [tree.parent]))
            let found = discovery.discover()
            #expect(found.problems.isEmpty, "\(found.problems)")
            let byPath = Dictionary(uniqueKeysWithValues: found.containers.map { ($0.cgroupPath, $0) })
            #expect(byPath.count == 5, "\(found.containers)")
            #expect(byPath[tree.cgroupPath(pod)]?.kind == .pod)
            #expect(byPath[tree.cgroupPath(systemdPod)]?.podUID == uid2)
            #expect(byPath[tree.cgroupPath(app)]?.kind == .container)
            #expect(byPath[tree.cgroupPath(sandbox)]?.isSandbox == true)
            let scopedEntry = try #require(byPath[tree.cgroupPath(scoped)])
            #expect(scopedEntry.kind == .container && scopedEntry.runtime == .containerd)
            #expect(scopedEntry.containerID == id("c") && scopedEntry.qos == .burstable)

            let reader = ContainerMemoryReader(hierarchy: tree.hierarchy)
            let scan = reader.readAll(found.containers)
            #expect(scan.failures.isEmpty, "\(scan.failures)")
            let readings = Dictionary(uniqueKeysWithValues: scan.readings.map { ($0.container.cgroupPath, $0) })
            let appReading = try #require(readings[tree.cgroupPath(app)])
            #expect(appReading.problems.isEmpty, "\(appReading.problems)")
            let memory = appReading.memory
            #expect(memory.version == tree.hierarchy.memoryVersion)
            #expect(appReading.processIDs.contains(appProcess.pid))
            #expect(Set(appReading.processIDs) == Set(tree.processes(in: app)))
            let rss = try #require(memory.rssBytes)
            #expect(rss >= 48 * mebibyte, "tail holds about 50 MiB")
            #expect(memory.usageBytes >= rss)
            let workingSet = try #require(memory.workingSetBytes)
            #expect(workingSet <= memory.usageBytes)
            #expect(try #require(memory.cacheBytes) >= 4 * mebibyte, "dd left 8 MiB of page cache")
            #expect(memory.limitBytes == 256 * mebibyte)
            #expect(memory.reservationBytes == 64 * mebibyte)
            #expect(memory.oomKills == 0)
            // The files say the same, within what an idle process's counters drift between two reads.
            let rssKey = memory.version == .v1 ? "total_rss" : "anon"
            let fileRSS = try statValue(tree, app, rssKey)
            #expect(max(fileRSS, rss) - min(fileRSS, rss) < mebibyte, "file \(fileRSS), read \(rss)")
            if memory.version == .v1 {
                #expect(memory.failcnt == 0)
                #expect(memory.maxUsageBytes.map { $0 >= memory.usageBytes } == true)
            }

            // The pod cgroup holds no process itself but is charged for its containers.
            let podReading = try #require(readings[tree.cgroupPath(pod)])
            #expect(podReading.processIDs.isEmpty)
            #expect(podReading.memory.usageBytes >= rss)
            #expect(readings[tree.cgroupPath(sandbox)]?.processIDs == [pauseProcess.pid])
            #expect(readings[tree.cgroupPath(scoped)]?.processIDs == [scopedProcess.pid])
        }
    }

    /// A process that allocates past a small limit is OOM-killed, and the container's kill counter
    /// goes from 0 to 1 (its pod's own counter stays 0 where the kernel keeps one per cgroup).
    static func oomKillIsCounted() async throws {
        try await withTree { tree in
            let pod = "kubepods/besteffort/pod\(uid)"
            let container = "\(pod)/\(id("d"))"
            try tree.make(container)
            try limit(tree, container, limit: 32 * mebibyte, reservation: nil)
            let discovery = ContainerDiscovery(
                hierarchy: tree.hierarchy, mode: .kubernetes(searchPaths: [tree.parent]))
            let entry = try #require(discovery.discover().containers.first { $0.containerID == id("d") })
            let reader = ContainerMemoryReader(hierarchy: tree.hierarchy)
            #expect(try reader.read(entry).memory.oomKills == 0)

            let hog = try tree.run("head -c 200M /dev/zero | tail", in: container)
            let status = await hog.exited()
            #expect(status != 0, "tail was killed, so the pipeline failed")

            let after = try reader.read(entry)
            #expect(after.problems.isEmpty, "\(after.problems)")
            #expect(after.memory.oomKills == 1)
            #expect(after.memory.limitBytes == 32 * mebibyte)
            if after.memory.version == .v1 {
                #expect(try #require(after.memory.failcnt) > 0)
            } else {
                // memory.events of the pod counts the child's kill; memory.events.local does not.
                let podEntry = DiscoveredContainer(
                    cgroupPath: tree.cgroupPath(pod), directory: tree.directory(pod), kind: .pod, runtime: .unknown)
                #expect(try reader.read(podEntry).memory.oomKills == 0)
                let events = try String(contentsOfFile: tree.directory(pod) + "/memory.events", encoding: .utf8)
                #expect(events.contains("oom_kill 1"))
            }
        }
    }
}
