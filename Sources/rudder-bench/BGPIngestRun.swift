import Foundation
import RudderLab

/// One receiver of `bgp-ingest` at a time, in the lab's node namespace, fed by the BIRD sender in
/// the router namespace; each method starts its receiver, waits until it holds every prefix,
/// reads its peak RSS and stops it.
struct BGPIngestRun {
    let lab: BGPPeerLab
    let sender: BirdRouter
    let prefixes: Int
    private let clock = ContinuousClock()

    init(lab: BGPPeerLab, sender: BirdRouter, prefixes: Int) {
        self.lab = lab
        self.sender = sender
        self.prefixes = prefixes
    }

    /// How long one receiver may take: gobgpd needs about 30 s a million prefixes here.
    private var timeout: Duration { .seconds(120 + prefixes / 1_000_000 * 240) }

    /// Waits until the sender's session from the last receiver is gone and it listens again.
    func waitForSender() async throws {
        var last = ""
        try await Polling.until(
            "the BIRD sender is ready for the next receiver", timeout: .seconds(60), every: .milliseconds(100),
            context: { " (last: \(last))" }
        ) {
            last = try BGPBenchProbe.birdProtocolLine(socket: sender.controlSocket, protocolName: "peer0")
            return last.contains("Passive") || last.contains("Active")
        }
    }

    /// Polls every `interval` until `done` holds. Each poll also asks the sender for its session
    /// (which wakes it: an idle BIRD 2.0 sender may hold its last UPDATE for seconds) and returns
    /// when the session was first seen Established. The sender is asked over one control
    /// connection: a `birdc` process a poll made the polls 100 ms apart whatever the interval.
    private func poll(
        _ what: String, every interval: Duration, context: @escaping () -> String = { "" },
        until done: () throws -> Bool
    ) async throws -> ContinuousClock.Instant? {
        var established: ContinuousClock.Instant?
        let control = try BirdControlConnection(socket: sender.controlSocket)
        try await BGPBenchProbe.until(what, timeout: timeout, every: interval, context: context) {
            let lines = (try? control.command("show protocols all peer0")) ?? []
            if established == nil, lines.contains(where: { $0.contains("BGP state:") && $0.contains("Established") }) {
                established = clock.now
            }
            return try done()
        }
        return established
    }

    /// Rudder's speaker in a child process (`bgp-speaker-child --mode ingest`); the time ends when
    /// its line saying its Loc-RIB holds every prefix arrives.
    func rudder() async throws -> BGPIngestBenchmark.Measurement {
        let link = lab.links[0]
        let start = clock.now
        let child = try BGPBenchChildProcess(
            namespace: lab.nodes[0].name,
            arguments: [
                "--mode", "ingest", "--prefixes", "\(prefixes)", "--peer", link.routerIPv4,
                "--peer-as", "\(BGPIngestBenchmark.senderAS)", "--local-as", "\(BGPIngestBenchmark.receiverAS)",
                "--router-id", link.nodeIPv4,
            ])
        do {
            let established = try await poll("Rudder's speaker holds \(prefixes) prefixes", every: .milliseconds(5)) {
                if child.line(startingWith: "received") != nil { return true }
                guard child.isRunning else { throw BGPBenchProbe.Failure(description: "the Rudder child exited") }
                return false
            }
            let peak = try BGPBenchProbe.peakRSS(pid: child.pid)
            let cpu = try BGPBenchProbe.cpuTime(pid: child.pid)
            guard let (line, end) = child.line(startingWith: "received") else {
                throw BGPBenchProbe.Failure(description: "no line from the Rudder child")
            }
            try child.send("count")
            try await Polling.until("Rudder's speaker reports its accepted prefixes", timeout: .seconds(60)) {
                child.line(startingWith: "accepted") != nil
            }
            let accepted = child.line(startingWith: "accepted")?.line ?? ""
            guard line == "received \(prefixes)", accepted == "accepted \(prefixes)" else {
                throw BGPBenchProbe.Failure(
                    description: "Rudder child: \"\(line)\", \"\(accepted)\", expected \(prefixes) of each")
            }
            await child.stop()
            return .init(time: end - start, sinceEstablished: Self.since(established, end), peakRSS: peak, cpu: cpu)
        } catch {
            child.kill()
            throw error
        }
    }

    /// `bird` as the receiver, counted by its `Routes: N imported`, polled every 5 ms over a
    /// control connection opened as soon as its socket answers.
    func bird(run: Int) async throws -> BGPIngestBenchmark.Measurement {
        let link = lab.links[0]
        let directory = try lab.makeRuntimeDirectory("receiver-bird-\(run)")
        let configFile = directory + "/bird.conf"
        let socket = directory + "/bird.ctl"
        // No connect delay, so BIRD dials as soon as it starts, as the speaker does.
        let configuration = """
            router id \(link.nodeIPv4);
            protocol device { scan time 10; }
            protocol bgp peer0 {
                local as \(BGPIngestBenchmark.receiverAS);
                neighbor \(link.routerIPv4) as \(BGPIngestBenchmark.senderAS);
                connect delay time 0;
                connect retry time 1;
                ipv4 { import all; export none; };
            }

            """
        try configuration.write(toFile: configFile, atomically: true, encoding: .utf8)
        var control: BirdControlConnection?
        return try await measure(
            "bird", arguments: ["-f", "-c", configFile, "-s", socket, "-P", directory + "/bird.pid"],
            logFile: directory + "/bird.log", every: .milliseconds(5)
        ) {
            if control == nil { control = try? BirdControlConnection(socket: socket) }
            guard let control else { return false }
            return (try? BGPBenchProbe.birdImported(control, protocolName: "peer0")) == prefixes
        }
    }

    /// `gobgpd` as the receiver, counted by the destinations of its global RIB, polled every 200 ms: each
    /// poll is a `gobgp` process, and polling every 20 ms slowed gobgpd from 29 s to 45-55 s here.
    func gobgp(run: Int) async throws -> BGPIngestBenchmark.Measurement {
        let link = lab.links[0]
        let directory = try lab.makeRuntimeDirectory("receiver-gobgpd-\(run)")
        let configFile = directory + "/gobgpd.toml"
        let socket = directory + "/gobgpd.sock"
        // The shortest connect retry gobgpd takes: it waits up to that long before it first dials.
        let configuration = """
            [global.config]
              as = \(BGPIngestBenchmark.receiverAS)
              router-id = "\(link.nodeIPv4)"
              port = 179

            [[neighbors]]
              [neighbors.config]
                neighbor-address = "\(link.routerIPv4)"
                peer-as = \(BGPIngestBenchmark.senderAS)
              [neighbors.timers.config]
                connect-retry = 1
              [[neighbors.afi-safis]]
                [neighbors.afi-safis.config]
                  afi-safi-name = "ipv4-unicast"

            """
        try configuration.write(toFile: configFile, atomically: true, encoding: .utf8)
        return try await measure(
            "gobgpd",
            arguments: ["-f", configFile, "--api-hosts", "unix://" + socket, "--pprof-disable", "--log-plain"],
            logFile: directory + "/gobgpd.log", every: .milliseconds(200)
        ) {
            (try? BGPBenchProbe.gobgpDestinations(target: "unix://" + socket)) == prefixes
        }
    }

    /// Starts `executable` in the node namespace as the receiver, polls every `interval` until
    /// `holdsAll` says it holds every prefix, then reads its peak RSS and CPU time and stops it.
    private func measure(
        _ executable: String, arguments: [String], logFile: String, every interval: Duration,
        holdsAll: () throws -> Bool
    ) async throws -> BGPIngestBenchmark.Measurement {
        let start = clock.now
        let daemon = try lab.startDaemon(
            executable, in: lab.nodes[0], executable: executable, arguments: arguments, logFile: logFile)
        do {
            let established = try await poll(
                "\(executable) holds \(prefixes) prefixes", every: interval, context: { "\n" + daemon.logTail() }
            ) {
                guard daemon.isRunning else { throw BGPBenchProbe.Failure(description: "\(executable) exited") }
                return try holdsAll()
            }
            let end = clock.now
            let peak = try BGPBenchProbe.peakRSS(pid: daemon.pid)
            let cpu = try BGPBenchProbe.cpuTime(pid: daemon.pid)
            await daemon.stop()
            return .init(time: end - start, sinceEstablished: Self.since(established, end), peakRSS: peak, cpu: cpu)
        } catch {
            daemon.kill()
            throw error
        }
    }

    /// From `established` to `end`; nil when the session was not seen Established before the end
    /// (the 20 ms polls are too coarse for a small table).
    private static func since(_ established: ContinuousClock.Instant?, _ end: ContinuousClock.Instant) -> Duration? {
        guard let established, established <= end else { return nil }
        return end - established
    }
}
