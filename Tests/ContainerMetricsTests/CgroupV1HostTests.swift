import ContainerMetrics
import Foundation
import RudderLab
import Synchronization
import Testing

/// Real cgroup v1 memory cgroups on this host, with real processes in them.
@Suite struct CgroupV1HostTests {
    // These three skip only on a host without root or without a cgroup v1 memory hierarchy; the
    // same scenarios run on cgroup v2 inside User-Mode Linux (CgroupV2GuestTests).
    @Test(.enabled(if: CgroupTestTree.v1Available, "needs root and a cgroup v1 memory hierarchy"))
    func figuresOfRunningContainers() async throws {
        try await LiveCgroupScenarios.figuresOfRunningContainers()
    }

    @Test(.enabled(if: CgroupTestTree.v1Available, "needs root and a cgroup v1 memory hierarchy"))
    func oomKillIsCounted() async throws {
        try await LiveCgroupScenarios.oomKillIsCounted()
    }

    /// Container cgroups created and removed without pause while scrapes run: whatever a scrape
    /// catches half-gone is a "vanished" problem for that cgroup alone, and the steady container
    /// is in every scrape, fully read.
    @Test(.enabled(if: CgroupTestTree.v1Available, "needs root and a cgroup v1 memory hierarchy"))
    func cgroupsVanishingDuringScrapes() async throws {
        try await LiveCgroupScenarios.withTree { tree in
            let steady = "kubepods/burstable/pod\(LiveCgroupScenarios.uid)/\(LiveCgroupScenarios.id("a"))"
            let churnPod = "kubepods/besteffort/pod\(LiveCgroupScenarios.uid2)"
            try tree.make(steady)
            try tree.make(churnPod)
            _ = try tree.run("exec sleep 1000", in: steady)
            let churnDirectory = tree.directory(churnPod)
            let ids = ["b", "c", "d", "e", "f"].map { LiveCgroupScenarios.id(Character($0)) }
            let stop = Atomic<Bool>(false)
            let churnEnded = Atomic<Bool>(false)
            // The churn runs on its own thread and removes every cgroup it made before it ends.
            Thread {
                while !stop.load(ordering: .relaxed) {
                    for id in ids { mkdir(churnDirectory + "/" + id, 0o755) }
                    for id in ids { rmdir(churnDirectory + "/" + id) }
                }
                for id in ids { rmdir(churnDirectory + "/" + id) }
                churnEnded.store(true, ordering: .releasing)
            }.start()
            defer { stop.store(true, ordering: .relaxed) }

            let hierarchy = tree.hierarchy
            let parent = tree.parent
            let scrapes = try await offPool {
                let scraper = ContainerScraper(hierarchy: hierarchy, mode: .kubernetes(searchPaths: [parent]))
                return (0..<300).map { _ in scraper.scrape() }
            }
            stop.store(true, ordering: .relaxed)
            try await Polling.until("the churn thread ended", timeout: .seconds(30)) {
                churnEnded.load(ordering: .acquiring)
            }
            let steadyPath = tree.cgroupPath(steady)
            var caught = 0
            for scrape in scrapes {
                let sample = try #require(scrape.samples.first { $0.container.cgroupPath == steadyPath })
                #expect(sample.memory.limitBytes == nil && sample.memory.workingSetBytes != nil)
                // A churned container is either read whole or not served at all.
                for sample in scrape.samples {
                    let memory = sample.memory
                    #expect(
                        memory.workingSetBytes != nil && memory.failcnt != nil && memory.maxUsageBytes != nil
                            && memory.oomKills != nil, "\(sample.container.cgroupPath): \(memory)")
                }
                for problem in scrape.problems {
                    #expect(problem.contains(churnDirectory + "/") && problem.contains("vanished"), "\(problem)")
                }
                caught += scrape.problems.count
            }
            // How often a scrape lands in the window is up to the scheduler; it is shown, not asserted.
            print("vanished cgroups met in 300 scrapes: \(caught)")
        }
    }
}
