import ArgumentParser
import BGPSpeaker
import Foundation
import RudderLab

/// Receives a full table from a BIRD 2 sender with Rudder's speaker, with `bird` and with `gobgpd`:
/// time from the receiver's start until it holds every prefix, and the receiver's peak RSS.
struct BGPIngestBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bgp-ingest",
        abstract: "Receive N IPv4 prefixes from a BIRD sender: Rudder's speaker vs bird (and gobgpd).")

    @Option(help: "How many distinct /24s the sender originates.") var prefixes = 1_000_000
    @Option(help: "How many runs of each receiver; the median is reported.") var runs = 3
    @Flag(help: "Leave gobgpd out (it takes about 30 s and over 1 GiB for a million prefixes).") var skipGobgp = false

    static let senderAS: UInt32 = 65010
    static let receiverAS: UInt32 = 65020

    /// One receiver's figures for one run.
    struct Measurement {
        /// From the receiver's start until it held every prefix.
        var time: Duration
        /// From when the sender was first seen Established until the receiver held every prefix.
        var sinceEstablished: Duration?
        /// VmHWM of the receiver process.
        var peakRSS: Int
        /// The receiver's CPU time (user and system) by then, start-up included.
        var cpu: Duration
    }

    func run() async throws {
        guard (1...4_000_000).contains(prefixes) else { throw ValidationError("--prefixes must be 1...4000000") }
        guard runs > 0 else { throw ValidationError("--runs must be positive") }
        let clock = ContinuousClock()
        try await withBGPPeerLab(nodes: 1) { lab in
            let link = lab.links[0]
            let loading = clock.now
            let sender = try await BirdRouter.start(
                in: lab, namespace: lab.router,
                configuration: BGPPeerLabRouterConfiguration(
                    localAS: Self.senderAS, routerID: link.routerIPv4,
                    neighbors: [.init(address: link.nodeIPv4, remoteAS: Self.receiverAS, passive: true)]),
                bulkRoutes: try BirdRouterBulkRoutes(count: prefixes), startTimeout: .seconds(600))
            print(
                "sender: bird in \(lab.router.name) loaded \(prefixes) /24s in \(GuestBenchmark.format(clock.now - loading))"
            )
            let ingest = BGPIngestRun(lab: lab, sender: sender, prefixes: prefixes)
            var rudder: [Measurement] = []
            var bird: [Measurement] = []
            var gobgp: [Measurement] = []
            for run in 1...runs {
                try await ingest.waitForSender()
                let b = try await ingest.bird(run: run)
                bird.append(b)
                try await ingest.waitForSender()
                let r = try await ingest.rudder()
                rudder.append(r)
                var line = "run \(run): bird \(Self.describe(b)); rudder \(Self.describe(r))"
                if !skipGobgp {
                    try await ingest.waitForSender()
                    let g = try await ingest.gobgp(run: run)
                    gobgp.append(g)
                    line += "; gobgpd \(Self.describe(g))"
                }
                print(line)
            }
            print(
                "bgp-ingest: \(prefixes) prefixes from a BIRD 2 sender, runs: \(runs) (medians; time from the "
                    + "receiver's start until it holds every prefix, and from the sender's session first seen "
                    + "Established; peak RSS = VmHWM of the receiver process; CPU = its user and system time)")
            print("reference (bird 2): \(Self.summary(bird))")
            if !gobgp.isEmpty { print("gobgpd: \(Self.summary(gobgp))") }
            print("rudder (BGPSpeaker in a child process, counted at its best-route stream): \(Self.summary(rudder))")
            let birdRSS = Double(GuestBenchmark.median(bird.map(\.peakRSS)))
            let rudderRSS = Double(GuestBenchmark.median(rudder.map(\.peakRSS)))
            print("rss ratio (rudder ÷ bird): \(String(format: "%.3f", rudderRSS / birdRSS))")
            let birdTime = BGPBenchProbe.seconds(GuestBenchmark.median(bird.map(\.time)))
            let rudderTime = BGPBenchProbe.seconds(GuestBenchmark.median(rudder.map(\.time)))
            let birdCPU = BGPBenchProbe.seconds(GuestBenchmark.median(bird.map(\.cpu)))
            let rudderCPU = BGPBenchProbe.seconds(GuestBenchmark.median(rudder.map(\.cpu)))
            print("cpu ratio (rudder ÷ bird): \(String(format: "%.3f", rudderCPU / birdCPU))")
            print("ratio: \(String(format: "%.3f", rudderTime / birdTime))")
        }
    }

    /// "1.23 s (0.98 s after Established), peak RSS 94.0 MiB" from medians.
    private static func summary(_ measurements: [Measurement]) -> String {
        let established = measurements.compactMap(\.sinceEstablished)
        return GuestBenchmark.format(GuestBenchmark.median(measurements.map(\.time)))
            + (established.isEmpty
                ? "" : " (\(GuestBenchmark.format(GuestBenchmark.median(established))) after Established)")
            + ", peak RSS \(BGPBenchProbe.format(bytes: GuestBenchmark.median(measurements.map(\.peakRSS))))"
            + ", CPU \(GuestBenchmark.format(GuestBenchmark.median(measurements.map(\.cpu))))"
    }

    private static func describe(_ measurement: Measurement) -> String {
        GuestBenchmark.format(measurement.time)
            + (measurement.sinceEstablished.map { " (\(GuestBenchmark.format($0)) after Established)" } ?? "")
            + ", \(BGPBenchProbe.format(bytes: measurement.peakRSS)), CPU \(GuestBenchmark.format(measurement.cpu))"
    }
}
