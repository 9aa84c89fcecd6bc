import ContainerMetrics
import Foundation
import HSPerfData
import RudderLab
import Testing

/// Real OpenJDK 17 JVMs in real cgroup v1 memory cgroups; every ceiling is checked against the
/// JVM's own `jcmd PID VM.flags` MaxHeapSize.
// Skips only without root or without a cgroup v1 memory hierarchy on the host (JDK 17 reads its
// limit-derived heap sizes from v1 here; CgroupV2GuestTests cover v2 with explicit -Xmx). java and
// jcmd are installed by the test command; without them this fails, not skips.
@Suite(
    "JVM inspection with real JVMs in real cgroups",
    .enabled(if: JVMTestFixture.available, "needs root and the host's cgroup v1 memory hierarchy"))
struct JVMInspectorTests {
    static let mebibyte: UInt64 = 1 << 20

    /// The `-XX:+Use…GC` flag jcmd prints for a collector.
    static func flag(_ collector: JVMCollectorKind) -> String {
        switch collector {
        case .serial: "-XX:+UseSerialGC"
        case .parallel: "-XX:+UseParallelGC"
        case .g1: "-XX:+UseG1GC"
        case .z: "-XX:+UseZGC"
        case .shenandoah: "-XX:+UseShenandoahGC"
        case .epsilon: "-XX:+UseEpsilonGC"
        }
    }

    static func inspect(_ pids: [Int32], limit: UInt64?, margin: Double = 0.2) async throws -> JVMScan {
        try await offPool { JVMInspector(requiredMargin: margin).inspect(pids: pids, memoryLimit: limit) }
    }

    @Test(
        "-Xmx with G1, Parallel and Serial: perf data gives jcmd's MaxHeapSize",
        arguments: [JVMCollectorKind.g1, .parallel, .serial])
    func collectors(collector: JVMCollectorKind) async throws {
        let fixture = try JVMTestFixture()
        defer { fixture.cleanUp() }
        let jvm = try await fixture.startJVM(["-Xmx200m", Self.flag(collector)], limit: 512 * Self.mebibyte)
        // Metaspace figures refresh only at collections: run one so they are filled in.
        _ = try await offPool { try Shell.check("jcmd", ["\(jvm.pid)", "GC.run"]) }
        let scan = try await Self.inspect([jvm.pid], limit: jvm.limit)
        let (maxHeapSize, flags) = try await JVMTestFixture.jcmdFlags(jvm.pid)
        #expect(scan.problems.isEmpty)
        let report = try #require(scan.jvms.first)
        #expect(scan.jvms.count == 1)
        #expect(report.heapCeiling == maxHeapSize)
        #expect(report.heapCeiling == 200 * Self.mebibyte)
        #expect(report.heapCeilingSource == .perfData)
        #expect(report.collector == collector)
        #expect(flags.contains(Self.flag(collector)))
        #expect(report.pid == jvm.pid && report.namespacePid == jvm.pid)
        #expect(report.launcher == "java")
        #expect(report.perfDataPath?.hasSuffix("/tmp/hsperfdata_root/\(jvm.pid)") == true)
        #expect(report.javaCommand == "Sleep")
        #expect(report.vmArguments.contains("-Xmx200m"))
        let heap = try #require(report.heap)
        #expect(heap.committed > 0 && heap.committed <= maxHeapSize)
        #expect(heap.used <= heap.committed)
        let metaspace = try #require(report.metaspace)
        #expect(metaspace.used > 0 && metaspace.max == nil)
        #expect(report.compressedClassSpace?.max == 1 << 30)
        #expect((report.liveThreads ?? 0) >= 1)
        #expect(report.nativeThreads > report.liveThreads ?? 0)
        #expect(report.collectors.count >= 2)
        #expect(report.collectors.allSatisfy { !$0.name.isEmpty && $0.seconds >= 0 })
        #expect(report.collectors.reduce(0) { $0 + $1.invocations } >= 1)
        #expect(report.collectors.contains { $0.seconds > 0 })
        // The rule applied to the JVM's own arguments agrees with the JVM.
        let sizing = JVMHeapSizing(
            options: report.options, memoryLimit: jvm.limit, hostMemory: UInt64(ProcessInfo.processInfo.physicalMemory),
            processorCount: ProcessInfo.processInfo.activeProcessorCount)
        #expect(sizing.maxHeapSize == maxHeapSize)
        #expect(sizing.collector == collector)
    }

    /// A container limit and extra flags, for the limit-derived ceilings.
    struct Ergonomics: Sendable, CustomTestStringConvertible {
        var limitMiB: UInt64
        var options: [String]
        var testDescription: String { "\(limitMiB) MiB \(options.joined(separator: " "))" }
    }

    @Test(
        "without -Xmx the ceiling follows the limit: perf data and the rule (for a JVM without perf data) match jcmd",
        arguments: [
            Ergonomics(limitMiB: 200, options: []), Ergonomics(limitMiB: 300, options: []),
            Ergonomics(limitMiB: 1024, options: []), Ergonomics(limitMiB: 1024, options: ["-XX:MaxRAMPercentage=60"]),
            Ergonomics(limitMiB: 2048, options: []),
            Ergonomics(limitMiB: 600, options: ["-XX:MinRAMPercentage=10", "-XX:MaxRAMPercentage=10"]),
        ])
    func ergonomics(_ ergonomics: Ergonomics) async throws {
        let fixture = try JVMTestFixture()
        defer { fixture.cleanUp() }
        let limit = ergonomics.limitMiB * Self.mebibyte
        async let withPerfData = fixture.startJVM(ergonomics.options, limit: limit)
        async let withoutPerfData = fixture.startJVM(ergonomics.options + ["-XX:-UsePerfData"], limit: limit)
        let (perf, bare) = try await (withPerfData, withoutPerfData)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/hsperfdata_root/\(bare.pid)"))
        let scan = try await Self.inspect([perf.pid, bare.pid], limit: perf.limit)
        #expect(scan.problems.isEmpty)
        try #require(scan.jvms.count == 2)
        for (jvm, report, source) in [
            (perf, scan.jvms[0], JVMHeapCeilingSource.perfData), (bare, scan.jvms[1], .ergonomics),
        ] {
            let (maxHeapSize, flags) = try await JVMTestFixture.jcmdFlags(jvm.pid)
            #expect(report.heapCeiling == maxHeapSize, "\(source)")
            #expect(report.heapCeilingSource == source)
            #expect(flags.contains(Self.flag(report.collector)), "\(source): \(report.collector)")
        }
        #expect(scan.jvms[1].heap == nil && scan.jvms[1].perfDataPath == nil)
    }

    @Test(
        "-Xmx from JAVA_TOOL_OPTIONS and JDK_JAVA_OPTIONS is overridden by the command line, which _JAVA_OPTIONS overrides"
    )
    func optionOrder() async throws {
        let fixture = try JVMTestFixture()
        defer { fixture.cleanUp() }
        let limit = 512 * Self.mebibyte
        let environment = ["JAVA_TOOL_OPTIONS": "-Xmx300m", "JDK_JAVA_OPTIONS": "-Xmx250m"]
        async let perf = fixture.startJVM(
            ["-Xmx150m"], limit: limit, environment: environment, programArguments: ["-Xmx999m"])
        async let bare = fixture.startJVM(
            ["-Xmx150m", "-XX:-UsePerfData"], limit: limit, environment: environment, programArguments: ["-Xmx999m"])
        async let underscore = fixture.startJVM(
            ["-Xmx150m", "-XX:+PerfDisableSharedMem"], limit: limit,
            environment: environment.merging(["_JAVA_OPTIONS": "-Xmx120m"]) { $1 })
        // Without -Xmx on the command line, JDK_JAVA_OPTIONS (read after JAVA_TOOL_OPTIONS) wins.
        async let launcherOnly = fixture.startJVM(["-XX:-UsePerfData"], limit: limit, environment: environment)
        let jvms = try await [perf, bare, underscore, launcherOnly]
        let scan = try await Self.inspect(jvms.map(\.pid), limit: limit)
        #expect(scan.problems.isEmpty)
        try #require(scan.jvms.count == 4)
        #expect(scan.jvms.map(\.heapCeilingSource) == [.perfData, .options, .options, .options])
        #expect(scan.jvms.map(\.heapCeiling) == [150, 150, 120, 250].map { $0 * Self.mebibyte })
        for (jvm, report) in zip(jvms, scan.jvms) {
            #expect(try await JVMTestFixture.jcmdFlags(jvm.pid).maxHeapSize == report.heapCeiling)
        }
    }

    @Test("margins: a limit 5% above -Xmx is flagged, 30% above is not; two JVMs in one container add up")
    func margins() async throws {
        let fixture = try JVMTestFixture()
        defer { fixture.cleanUp() }
        let heap = 128 * Self.mebibyte
        async let tight = fixture.startJVM(["-Xmx128m"], limit: heap * 105 / 100)
        async let roomy = fixture.startJVM(["-Xmx128m"], limit: heap * 130 / 100)
        let (tightJVM, roomyJVM) = try await (tight, roomy)
        let second = try await fixture.startJVM(["-Xmx64m", "-XX:-UsePerfData"], limit: 0, cgroup: roomyJVM.cgroup)

        let tightScan = try await Self.inspect([tightJVM.pid], limit: tightJVM.limit)
        let tightHeadroom = try #require(tightScan.headroom)
        #expect(!tightHeadroom.keepsMargin)
        #expect(tightHeadroom.heapCeiling == heap)
        #expect(tightHeadroom.bytesLeftForNonHeap == Int64(tightJVM.limit) - Int64(heap))
        #expect(abs(tightHeadroom.ratio - 1.05) < 0.001)
        #expect(!tightHeadroom.worstCaseFits)
        let lenient = try await Self.inspect([tightJVM.pid], limit: tightJVM.limit, margin: 0.04)
        #expect(lenient.headroom?.keepsMargin == true)

        let roomyScan = try await Self.inspect([roomyJVM.pid], limit: roomyJVM.limit)
        #expect(roomyScan.headroom?.keepsMargin == true)
        #expect(roomyScan.headroom?.jvmCount == 1)

        let sharedScan = try await Self.inspect([roomyJVM.pid, second.pid], limit: roomyJVM.limit)
        let shared = try #require(sharedScan.headroom)
        #expect(shared.jvmCount == 2)
        #expect(shared.heapCeiling == heap + 64 * Self.mebibyte)
        #expect(!shared.keepsMargin)
        #expect(try await Self.inspect([roomyJVM.pid], limit: nil).headroom == nil)
    }

    @Test("non-heap ceilings come from the JVM's flags, with HotSpot's defaults when unset")
    func nonHeap() async throws {
        let fixture = try JVMTestFixture()
        defer { fixture.cleanUp() }
        async let sized = fixture.startJVM(
            [
                "-Xmx64m", "-XX:MaxMetaspaceSize=96m", "-Xss512k", "-XX:ReservedCodeCacheSize=32m",
                "-XX:MaxDirectMemorySize=16m",
            ], limit: 512 * Self.mebibyte)
        async let plain = fixture.startJVM(["-Xmx64m"], limit: 512 * Self.mebibyte)
        let jvms = try await [sized, plain]
        let scan = try await Self.inspect(jvms.map(\.pid), limit: 512 * Self.mebibyte)
        try #require(scan.jvms.count == 2)
        let bounded = scan.jvms[0].nonHeapWorstCase
        #expect(bounded.metaspace == 96 * Self.mebibyte && bounded.metaspaceBounded)
        #expect(scan.jvms[0].metaspace?.max == 96 * Self.mebibyte)
        #expect(bounded.codeCache == 32 * Self.mebibyte)
        #expect(bounded.threadStackSize == 512 << 10)
        #expect(bounded.directMemory == 16 * Self.mebibyte)
        #expect(bounded.threads == scan.jvms[0].nativeThreads && bounded.threads > 5)
        #expect(
            bounded.total == 96 * Self.mebibyte + 32 * Self.mebibyte + UInt64(bounded.threads) * (512 << 10) + 16
                * Self.mebibyte)
        let defaults = scan.jvms[1].nonHeapWorstCase
        #expect(!defaults.metaspaceBounded)
        #expect(defaults.metaspace == scan.jvms[1].metaspace?.committed)
        #expect(defaults.codeCache == 240 * Self.mebibyte)
        #expect(defaults.threadStackSize == Self.mebibyte)
        #expect(defaults.directMemory == 64 * Self.mebibyte)
        for (jvm, report) in zip(jvms, scan.jvms) {
            let flags = try await JVMTestFixture.jcmdFlags(jvm.pid).flags
            #expect(flags.contains("-XX:ReservedCodeCacheSize=\(report.nonHeapWorstCase.codeCache)"))
        }
    }

    @Test("a stale file of a SIGKILLed JVM, a reused PID, exited and zombie processes, and threads are not JVMs")
    func staleAndGone() async throws {
        let fixture = try JVMTestFixture()
        defer { fixture.cleanUp() }
        let victim = try await fixture.startJVM(["-Xmx64m"], limit: 256 * Self.mebibyte)
        let survivor = try await fixture.startJVM(["-Xmx80m"], limit: 256 * Self.mebibyte)
        let stalePath = "/tmp/hsperfdata_root/\(victim.pid)"
        let staleBytes = try HSPerfFile.readBytes(path: stalePath)
        _ = try HSPerfData(bytes: staleBytes, file: stalePath)
        fixture.kill(victim)
        // SIGKILL leaves the file behind, but the next JVM to start removes the files of dead
        // PIDs, and other tests start JVMs meanwhile: put the stale file back if it went.
        if !FileManager.default.fileExists(atPath: stalePath) {
            try Data(staleBytes).write(to: URL(fileURLWithPath: stalePath))
        }

        // A live process that is not a JVM, with a stale JVM file under its PID.
        let impostor = Process()
        let zombieFile = fixture.directory + "/zombie"
        impostor.executableURL = URL(fileURLWithPath: "/bin/sh")
        impostor.arguments = ["-c", "true & echo $! > \(zombieFile); exec sleep 600"]
        try impostor.run()
        defer {
            // SIGKILL: the test runner's children may ignore SIGTERM.
            kill(impostor.processIdentifier, SIGKILL)
            impostor.waitUntilExit()
        }
        let impostorPath = "/tmp/hsperfdata_root/\(impostor.processIdentifier)"
        try Data(staleBytes).write(to: URL(fileURLWithPath: impostorPath))
        defer { try? FileManager.default.removeItem(atPath: impostorPath) }
        try await Polling.until("the zombie's PID is written", timeout: .seconds(30)) {
            (try? String(contentsOfFile: zombieFile, encoding: .utf8))?.hasSuffix("\n") == true
        }
        let zombie = try #require(
            Int32(
                try String(contentsOfFile: zombieFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))
        )
        let thread = try #require(
            try FileManager.default.contentsOfDirectory(atPath: "/proc/\(survivor.pid)/task").compactMap { Int32($0) }
                .first { $0 != survivor.pid })

        let scan = try await Self.inspect(
            [victim.pid, impostor.processIdentifier, zombie, thread, survivor.pid, survivor.pid],
            limit: 256 * Self.mebibyte)
        #expect(scan.problems.isEmpty)
        #expect(scan.jvms.map(\.pid) == [survivor.pid])
        #expect(scan.jvms.first?.heapCeiling == 80 * Self.mebibyte)
    }

    @Test("a corrupt or deleted file of a live JVM is a problem for that JVM; its ceiling comes from the command line")
    func corruptAndDeleted() async throws {
        let fixture = try JVMTestFixture()
        defer { fixture.cleanUp() }
        async let corrupt = fixture.startJVM(["-Xmx72m"], limit: 256 * Self.mebibyte)
        async let deleted = fixture.startJVM(["-Xmx88m"], limit: 256 * Self.mebibyte)
        async let healthy = fixture.startJVM(["-Xmx96m"], limit: 256 * Self.mebibyte)
        let (corruptJVM, deletedJVM, healthyJVM) = try await (corrupt, deleted, healthy)
        let corruptPath = "/tmp/hsperfdata_root/\(corruptJVM.pid)"
        // The file exists before the JVM writes its header: zeros written earlier would be
        // overwritten (seen under the full suite's load). Wait for the magic, 0xcafec0c0.
        try await Polling.until("the JVM has written its perf data header", timeout: .seconds(120)) {
            let bytes = FileHandle(forReadingAtPath: corruptPath).flatMap { try? $0.read(upToCount: 4) }
            return bytes.map(Array.init) == [0xca, 0xfe, 0xc0, 0xc0]
        }
        // The JVM never reads its magic back, so zeroing it spoils the file for readers only.
        let handle = try #require(FileHandle(forWritingAtPath: corruptPath))
        try handle.write(contentsOf: Data([0, 0, 0, 0]))
        try handle.close()
        try FileManager.default.removeItem(atPath: "/tmp/hsperfdata_root/\(deletedJVM.pid)")

        let scan = try await Self.inspect([corruptJVM.pid, deletedJVM.pid, healthyJVM.pid], limit: 256 * Self.mebibyte)
        #expect(scan.jvms.map(\.heapCeiling) == [72, 88, 96].map { $0 * Self.mebibyte })
        #expect(scan.jvms.map(\.heapCeilingSource) == [.options, .options, .perfData])
        #expect(
            scan.problems == [
                JVMInspectionError(
                    pid: corruptJVM.pid,
                    problem: .perfData(
                        HSPerfDataError(file: "/proc/\(corruptJVM.pid)/root\(corruptPath)", problem: .badMagic(0)))),
                JVMInspectionError(
                    pid: deletedJVM.pid, problem: .perfDataDeleted(path: "/tmp/hsperfdata_root/\(deletedJVM.pid)")),
            ])
        #expect(scan.problems.first?.description.contains("bad magic") == true)
        #expect(scan.headroom?.jvmCount == 3)
    }
}
