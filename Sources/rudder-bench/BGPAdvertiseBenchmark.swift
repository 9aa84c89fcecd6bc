import ArgumentParser
import BGPSpeaker
import Foundation
import RudderLab

/// Advertises N prefixes to a BIRD ToR with Rudder's speaker and with gobgpd: each advertiser
/// holds the routes first, then brings its session up; the time runs until BIRD holds all N.
struct BGPAdvertiseBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bgp-advertise", abstract: "Advertise N IPv4 prefixes to a BIRD ToR: Rudder's speaker vs gobgpd.")

    @Option(help: "How many distinct /24s to advertise.") var prefixes = 10_000
    @Option(help: "How many runs of each advertiser; the median is reported.") var runs = 3

    static let torAS: UInt32 = 65000
    static let nodeAS: UInt32 = 65020

    func run() async throws {
        guard (1...1_000_000).contains(prefixes) else { throw ValidationError("--prefixes must be 1...1000000") }
        guard runs > 0 else { throw ValidationError("--runs must be positive") }
        let clock = ContinuousClock()
        try await withBGPPeerLab(nodes: 1) { lab in
            let link = lab.links[0]
            let tor = try await BirdRouter.start(
                in: lab, namespace: lab.router,
                configuration: BGPPeerLabRouterConfiguration(
                    localAS: Self.torAS, routerID: link.routerIPv4,
                    neighbors: [.init(address: link.nodeIPv4, remoteAS: Self.nodeAS)]))
            let mrtFile = lab.directory + "/advertised.mrt"
            let networks = (0..<prefixes).map { 0x1400_0000 + UInt32($0) << 8 }
            try Data(MRTTableDump(networks: networks).bytes()).write(to: URL(fileURLWithPath: mrtFile))
            var rudder: [Duration] = []
            var gobgp: [Duration] = []
            var loads: [Duration] = []
            for run in 1...runs {
                try await waitForEmptyToR(tor)
                let r = try await advertiseWithRudder(lab: lab, tor: tor, clock: clock)
                rudder.append(r)
                try await waitForEmptyToR(tor)
                let (g, load) = try await advertiseWithGoBGP(
                    lab: lab, tor: tor, mrtFile: mrtFile, run: run, clock: clock)
                gobgp.append(g)
                loads.append(load)
                print(
                    "run \(run): rudder \(GuestBenchmark.format(r)); gobgpd \(GuestBenchmark.format(g)) "
                        + "(its RIB loaded from MRT beforehand in \(GuestBenchmark.format(load)))")
            }
            let rudderMedian = GuestBenchmark.median(rudder)
            let gobgpMedian = GuestBenchmark.median(gobgp)
            print(
                "bgp-advertise: \(prefixes) prefixes to a BIRD 2 ToR, runs: \(runs) (medians; each advertiser "
                    + "holds the routes, then the time runs from bringing its session up until BIRD imported all)")
            print(
                "reference (gobgpd, routes injected from MRT, session started by `gobgp neighbor add`): "
                    + GuestBenchmark.format(gobgpMedian))
            print(
                "rudder (BGPSpeaker in a child process, routes originated, session started by start()): "
                    + GuestBenchmark.format(rudderMedian))
            print(
                "ratio: \(String(format: "%.3f", BGPBenchProbe.seconds(rudderMedian) / BGPBenchProbe.seconds(gobgpMedian)))"
            )
        }
    }

    /// Waits until the ToR holds nothing from the last advertiser and is ready for a new session.
    private func waitForEmptyToR(_ tor: BirdRouter) async throws {
        var last = ""
        try await Polling.until(
            "the BIRD ToR is empty and ready", timeout: .seconds(60), every: .milliseconds(100),
            context: { " (last: \(last))" }
        ) {
            last = try BGPBenchProbe.birdProtocolLine(socket: tor.controlSocket, protocolName: "peer0")
            guard last.contains("Active") || last.contains("Connect") else { return false }
            return try BGPBenchProbe.birdImported(socket: tor.controlSocket, protocolName: "peer0") == 0
        }
    }

    /// Waits until the ToR imported every prefix, asking it every 2 ms over `control`, a
    /// connection opened before the clock started; gives up at once if the advertiser exits.
    private func waitForFullToR(
        _ control: BirdControlConnection, advertiserRuns: () -> Bool, context: () -> String
    ) async throws {
        try await BGPBenchProbe.until(
            "the BIRD ToR holds \(prefixes) prefixes", timeout: .seconds(120 + prefixes / 1000),
            every: .milliseconds(2), context: context
        ) {
            guard advertiserRuns() else { throw BGPBenchProbe.Failure(description: "the advertiser exited") }
            return try BGPBenchProbe.birdImported(control, protocolName: "peer0") == prefixes
        }
    }

    private func advertiseWithRudder(lab: BGPPeerLab, tor: BirdRouter, clock: ContinuousClock) async throws -> Duration
    {
        let link = lab.links[0]
        let child = try BGPBenchChildProcess(
            namespace: lab.nodes[0].name,
            arguments: [
                "--mode", "advertise", "--prefixes", "\(prefixes)", "--peer", link.routerIPv4,
                "--peer-as", "\(Self.torAS)", "--local-as", "\(Self.nodeAS)", "--router-id", link.nodeIPv4,
            ])
        do {
            try await BGPBenchProbe.until("Rudder's speaker originated its routes", timeout: .seconds(60)) {
                guard child.isRunning else { throw BGPBenchProbe.Failure(description: "the Rudder child exited") }
                return child.line(startingWith: "originated") != nil
            }
            let control = try BirdControlConnection(socket: tor.controlSocket)
            let start = clock.now
            try child.send("start")
            try await waitForFullToR(control, advertiserRuns: { child.isRunning }) { "\n" + tor.logTail() }
            let elapsed = clock.now - start
            await child.stop()
            return elapsed
        } catch {
            child.kill()
            throw error
        }
    }

    /// gobgpd in the node namespace: started with no neighbor, loaded from the MRT file and
    /// checked to hold exactly N routes (untimed), then given the ToR as neighbor (timed).
    private func advertiseWithGoBGP(
        lab: BGPPeerLab, tor: BirdRouter, mrtFile: String, run: Int, clock: ContinuousClock
    ) async throws -> (Duration, load: Duration) {
        let link = lab.links[0]
        let directory = try lab.makeRuntimeDirectory("advertiser-gobgpd-\(run)")
        let configFile = directory + "/gobgpd.toml"
        let target = "unix://" + directory + "/gobgpd.sock"
        let configuration = """
            [global.config]
              as = \(Self.nodeAS)
              router-id = "\(link.nodeIPv4)"
              port = 179

            """
        try configuration.write(toFile: configFile, atomically: true, encoding: .utf8)
        let daemon = try lab.startDaemon(
            "gobgpd", in: lab.nodes[0], executable: "gobgpd",
            arguments: ["-f", configFile, "--api-hosts", target, "--pprof-disable", "--log-plain"],
            logFile: directory + "/gobgpd.log")
        do {
            try await BGPBenchProbe.until("gobgpd answers", timeout: .seconds(60)) {
                guard daemon.isRunning else { throw BGPBenchProbe.Failure(description: "gobgpd exited") }
                return (try? Shell.check("gobgp", ["--target", target, "global"])) != nil
            }
            let loading = clock.now
            try Shell.check("gobgp", ["--target", target, "mrt", "inject", "global", mrtFile])
            let load = clock.now - loading
            let loaded = try BGPBenchProbe.gobgpDestinations(target: target)
            guard loaded == prefixes else {
                throw BGPBenchProbe.Failure(
                    description: "gobgpd holds \(loaded) routes after the MRT inject, not \(prefixes)")
            }
            let control = try BirdControlConnection(socket: tor.controlSocket)
            let start = clock.now
            try Shell.check(
                "gobgp", ["--target", target, "neighbor", "add", link.routerIPv4, "as", "\(Self.torAS)"])
            try await waitForFullToR(control, advertiserRuns: { daemon.isRunning }) { "\n" + daemon.logTail() }
            let elapsed = clock.now - start
            await daemon.stop()
            return (elapsed, load)
        } catch {
            daemon.kill()
            throw error
        }
    }
}
