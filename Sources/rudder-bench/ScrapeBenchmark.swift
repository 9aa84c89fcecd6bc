import Agent
import ArgumentParser
import ContainerMetrics
import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// One `/metrics` scrape of N real cgroup v1 containers, M of them running a JVM, against `cat`
/// reading the same files in one process.
struct ScrapeBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scrape",
        abstract: "One /metrics scrape of real cgroups and JVMs (host cgroup v1) vs `cat` of the same files.")

    @Option(help: "How many container cgroups (two per pod).") var containers = 500
    @Option(help: "How many of them run a JVM (OpenJDK).") var jvms = 50
    @Option(help: "Scrapes of each kind; the median is reported.") var rounds = 11

    func validate() throws {
        guard (2...5_000).contains(containers) else { throw ValidationError("--containers must be 2...5000") }
        guard (0...min(containers, 500)).contains(jvms) else {
            throw ValidationError("--jvms must be 0...min(--containers, 500)")
        }
        guard (1...1_000).contains(rounds) else { throw ValidationError("--rounds must be 1...1000") }
    }

    func run() throws {
        let lab = try ScrapeLab(containers: containers, jvms: jvms)
        defer { lab.remove() }
        print(
            "scrape: \(containers) containers in \(lab.pods) pods (cgroup v1, kubelet's cgroupfs layout), \(jvms) running a JVM"
        )
        try lab.start()
        let settings = RudderConfiguration.Metrics(cgroupSearchPaths: [lab.parent])
        let metrics = AgentMetrics(
            configuration: settings, logger: Logger(label: "rudder-bench") { _ in SwiftLogNoOpLogHandler() })
        // The first scrape discovers the hierarchy; it is not timed.
        let first = String(decoding: metrics.render(), as: UTF8.self)
        let found = first.split(separator: "\n").filter { $0.hasPrefix("rudder_jvm_heap_ceiling_bytes{") }.count
        let series = first.split(separator: "\n").filter { !$0.hasPrefix("#") }.count
        guard found == jvms else { throw ValidationError("the scrape found \(found) JVMs, not \(jvms)") }
        let files = try lab.filesRead()
        print("one scrape: \(series) series, \(first.utf8.count) bytes; the files it reads: \(files.count)")

        var rudder: [(wall: Duration, cpu: Duration)] = []
        var cat: [(wall: Duration, cpu: Duration)] = []
        for _ in 0..<rounds {
            rudder.append(Self.measureInProcess { _ = metrics.render() })
            cat.append(try Self.measureCat(files))
        }
        let rudderWall = GuestBenchmark.median(rudder.map(\.wall))
        let rudderCPU = GuestBenchmark.median(rudder.map(\.cpu))
        let catWall = GuestBenchmark.median(cat.map(\.wall))
        let catCPU = GuestBenchmark.median(cat.map(\.cpu))
        print(
            "reference: cat of the same \(files.count) files, one process: wall \(GuestBenchmark.format(catWall)), CPU \(GuestBenchmark.format(catCPU)) (median of \(rounds))"
        )
        print(
            "rudder: one /metrics render (discovery, cgroup files, /proc, hsperfdata, exposition): wall \(GuestBenchmark.format(rudderWall)), CPU \(GuestBenchmark.format(rudderCPU)) (median of \(rounds))"
        )
        print("CPU ratio: \(GuestBenchmark.ratio(rudderCPU, catCPU))")
        print("goal: within 2× of cat: \(rudderWall <= catWall * 2 ? "met" : "MISSED")")
        print("ratio: \(GuestBenchmark.ratio(rudderWall, catWall))")
    }

    /// Wall and CPU time of `body` on this thread.
    static func measureInProcess(_ body: () -> Void) -> (wall: Duration, cpu: Duration) {
        let clock = ContinuousClock()
        let cpuBefore = threadCPU()
        let start = clock.now
        body()
        return (clock.now - start, threadCPU() - cpuBefore)
    }

    /// Wall time of one `cat` of every file, and its user + system time from `wait4`.
    static func measureCat(_ files: [String]) throws -> (wall: Duration, cpu: Duration) {
        let clock = ContinuousClock()
        let start = clock.now
        var pid: pid_t = 0
        let devNull = open("/dev/null", O_WRONLY)
        defer { close(devNull) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, devNull, 1)
        posix_spawn_file_actions_adddup2(&actions, devNull, 2)
        let arguments = ["cat"] + files
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        guard posix_spawnp(&pid, "cat", &actions, nil, &argv, environ) == 0 else {
            throw ValidationError("cannot start cat")
        }
        var status: Int32 = 0
        var usage = rusage()
        guard wait4(pid, &status, 0, &usage) == pid else { throw ValidationError("cat was lost") }
        let wall = clock.now - start
        let cpu =
            Duration.seconds(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + .microseconds(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec)
        return (wall, cpu)
    }

    static func threadCPU() -> Duration {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return .seconds(now.tv_sec) + .nanoseconds(now.tv_nsec)
    }
}
