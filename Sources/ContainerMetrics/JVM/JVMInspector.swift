import HSPerfData

/// Finds the JVMs among a container's processes and reads their memory figures.
///
/// For each PID it reads `/proc/PID/status` (namespace PID, threads), `/proc/PID/maps` (is
/// libjvm.so loaded, and which hsperfdata file does the JVM itself map for writing), then the
/// hsperfdata file through `/proc/PID/root`. Trusting only the file the live process maps
/// rules out the stale files that JVMs killed by SIGKILL or the OOM killer leave behind. A
/// JVM without perf data (`-XX:-UsePerfData`, `-XX:+PerfDisableSharedMem`, or a deleted file)
/// still gets a heap ceiling from its command line and environment. All I/O is blocking: call
/// it from a thread of its own, not from Swift's cooperative pool.
public struct JVMInspector: Sendable {
    /// Where procfs is mounted.
    public var procRoot: String
    /// The margin above the heap ceiling that headroom asks for (0.2 for 20%).
    public var requiredMargin: Double

    /// An inspector reading `procRoot`, asking for `requiredMargin` above the heap ceiling.
    public init(procRoot: String = "/proc", requiredMargin: Double = 0.2) {
        self.procRoot = procRoot
        self.requiredMargin = requiredMargin
    }

    /// Inspects the processes `pids` of a container whose memory limit is `memoryLimit` (nil: none).
    public func inspect(pids: [Int32], memoryLimit: UInt64?) -> JVMScan {
        var jvms: [JVMReport] = []
        var problems: [JVMInspectionError] = []
        var seen: Set<Int32> = []
        // Read once a JVM turns up: most containers' processes are not JVMs, and a scrape of 500
        // containers would otherwise read /proc/meminfo 500 times.
        var hostMemory: UInt64?
        let memory = { () -> UInt64 in
            if let hostMemory { return hostMemory }
            let read = self.hostMemory()
            hostMemory = read
            return read
        }
        for pid in pids where seen.insert(pid).inserted {
            let outcome = inspect(pid: pid, memoryLimit: memoryLimit, hostMemory: memory)
            if let report = outcome.report { jvms.append(report) }
            problems += outcome.problems
        }
        return JVMScan(
            jvms: jvms, problems: problems,
            headroom: Headroom(limit: memoryLimit, jvms: jvms, requiredMargin: requiredMargin))
    }

    /// One process: its report if it is a live JVM, and any problems met.
    func inspect(
        pid: Int32, memoryLimit: UInt64?, hostMemory: () -> UInt64
    ) -> (report: JVMReport?, problems: [JVMInspectionError]) {
        let process: JVMProcess
        do {
            guard let found = try JVMProcess.read(pid: pid, procRoot: procRoot) else { return (nil, []) }
            process = found
        } catch {
            switch error {
            case .gone: return (nil, [])
            case .unreadable(let file, let errno):
                return (nil, [JVMInspectionError(pid: pid, problem: .procUnreadable(file: file, errno: errno))])
            }
        }

        var problems: [JVMInspectionError] = []
        var figures: JVMPerfFigures?
        var perfDataPath: String?
        if let path = process.perfDataPath {
            let hostPath = "\(procRoot)/\(pid)/root\(path)"
            if process.perfDataDeleted {
                problems.append(JVMInspectionError(pid: pid, problem: .perfDataDeleted(path: path)))
            } else {
                do {
                    let data = try HSPerfFile.read(path: hostPath)
                    // A JVM still starting up has not filled its counters in yet.
                    if data.accessible, let read = JVMPerfFigures(data) {
                        figures = read
                        perfDataPath = hostPath
                    }
                } catch {
                    if !isAlive(pid) { return (nil, []) }
                    problems.append(JVMInspectionError(pid: pid, problem: .perfData(error)))
                }
            }
        }
        // The process may have exited while its files were read; its figures are then stale.
        guard isAlive(pid) else { return (nil, []) }

        let arguments =
            figures?.vmArguments
            ?? JVMCommandLine.options(
                launcher: process.launcher, arguments: process.arguments, environment: process.environment)
        let options = JVMOptions(arguments)
        let sizing = JVMHeapSizing(
            options: options, memoryLimit: memoryLimit, hostMemory: hostMemory(), processorCount: process.allowedCPUs)
        let ceiling: UInt64
        let source: JVMHeapCeilingSource
        if let perfCeiling = figures?.heap.max, perfCeiling > 0 {
            ceiling = perfCeiling
            source = .perfData
        } else {
            ceiling = sizing.maxHeapSize
            source = options.maxHeapSize == nil ? .ergonomics : .options
        }
        var metaspace = figures?.metaspace
        metaspace?.max = options.maxMetaspaceSize
        let report = JVMReport(
            pid: pid, namespacePid: process.namespacePid, launcher: process.launcher,
            javaCommand: figures?.javaCommand, vmArguments: arguments, perfDataPath: perfDataPath,
            collector: figures?.collector ?? sizing.collector, heapCeiling: ceiling, heapCeilingSource: source,
            heap: figures?.heap, metaspace: metaspace, compressedClassSpace: figures?.compressedClassSpace,
            liveThreads: figures?.liveThreads, nativeThreads: process.threads, collectors: figures?.collectors ?? [],
            options: options,
            nonHeapWorstCase: JVMNonHeapEstimate(
                options: options, heapCeiling: ceiling, threads: process.threads,
                metaspaceCommitted: figures?.metaspace?.committed))
        return (report, problems)
    }

    /// Whether process `pid` still exists and has not become a zombie.
    func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? JVMProcFile.read("\(procRoot)/\(pid)/stat"),
            let close = stat.lastIndex(of: UInt8(ascii: ")")), close + 2 < stat.count
        else { return false }
        let state = stat[close + 2]
        return state != UInt8(ascii: "Z") && state != UInt8(ascii: "X")
    }

    /// The host's RAM (`MemTotal` in `/proc/meminfo`), which a JVM sees when no limit applies.
    func hostMemory() -> UInt64 {
        let text = String(decoding: (try? JVMProcFile.read("\(procRoot)/meminfo")) ?? [], as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix("MemTotal:") {
            let digits = line.dropFirst("MemTotal:".count).filter(\.isNumber)
            if let kib = UInt64(digits) { return kib &* 1024 }
        }
        return UInt64.max
    }
}
