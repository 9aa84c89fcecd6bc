import ArgumentParser
import BGP
import BGPSpeaker
import Foundation
import Logging

/// The Rudder side of the BGP benchmarks, run as a child process inside a node namespace (the
/// parent starts it with `ip netns exec`), so its peak RSS is the speaker's alone, measured the
/// same way as BIRD's and gobgpd's.
///
/// It speaks on stdout. Ingest: `received N` once its Loc-RIB holds `--prefixes` routes, then,
/// after the line `count` on stdin, `accepted M` from its peer status. Advertise: `originated`
/// once it holds its routes, then, after the line `start` on stdin, `started`. It stops the
/// speaker (Cease) and exits when its stdin closes.
struct BGPSpeakerChild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bgp-speaker-child", abstract: "Internal: the speaker of the BGP benchmarks.",
        shouldDisplay: false)

    /// What the speaker does in the benchmark.
    enum Mode: String, ExpressibleByArgument {
        case ingest, advertise
    }

    @Option(help: "ingest (receive --prefixes routes) or advertise (originate --prefixes routes).") var mode: Mode
    @Option(help: "How many prefixes.") var prefixes: Int
    @Option(help: "The peer's IPv4 address.") var peer: String
    @Option(help: "The peer's AS.") var peerAS: UInt32
    @Option(help: "Our AS.") var localAS: UInt32
    @Option(help: "Our router ID, an IPv4 address.") var routerID: String

    func run() async throws {
        guard let peerAddress = BGPAddress(peer), let identifier = BGPAddress(routerID), prefixes > 0 else {
            throw ValidationError("bad --peer, --router-id or --prefixes")
        }
        let peerConfiguration = BGPPeerConfiguration(
            peerAddress: peerAddress, remoteAS: .fixed(peerAS), localAS: localAS, routerID: 0,
            importPolicy: .acceptAll, exportPolicy: .acceptAll,
            connectRetryBackoff: BGPConnectRetryBackoff(initial: .milliseconds(300), maximum: .seconds(2)))
        var logger = Logger(label: "rudder.bench.bgp")
        logger.logLevel = .warning
        let speaker = try BGPSpeaker(
            configuration: BGPSpeakerConfiguration(
                routerID: identifier.bytes.reduce(0) { $0 << 8 | UInt32($1) }, localAS: localAS,
                peers: [BGPSpeakerPeer(configuration: peerConfiguration)]),
            logger: logger)
        var commands = Self.stdinLines().makeAsyncIterator()
        switch mode {
        case .ingest:
            try await speaker.start()
            // The agent consumes these batches to program the kernel; here they are only counted,
            // and a prefix counts once its best route has come out of the speaker.
            var best = 0
            for await changes in speaker.bestRouteChanges {
                for change in changes {
                    switch change {
                    case .bestChanged: best += 1
                    case .withdrawn: best -= 1
                    }
                }
                if best >= prefixes { break }
            }
            Self.say("received \(best)")
            // Checked only when asked, after the parent has read the peak RSS: reading the
            // speaker's state may copy tables, and that is no part of receiving them.
            while let line = await commands.next(), line != "count" {}
            let accepted = try await speaker.peers().first?.prefixesAccepted ?? -1
            Self.say("accepted \(accepted)")
        case .advertise:
            try await speaker.originate(Self.originated(prefixes))
            Self.say("originated")
            while let line = await commands.next(), line != "start" {}
            try await speaker.start()
            Self.say("started")
        }
        while await commands.next() != nil {}
        try await speaker.stop()
    }

    /// `count` distinct /24s from 20.0.0.0, with no extra attributes.
    static func originated(_ count: Int) -> [BGPPrefix: PathAttributes] {
        var routes: [BGPPrefix: PathAttributes] = [:]
        routes.reserveCapacity(count)
        for index in 0..<count {
            if let prefix = BGPPrefix(address: BGPAddress(ipv4: 0x1400_0000 &+ UInt32(index) << 8), length: 24) {
                routes[prefix] = PathAttributes()
            }
        }
        return routes
    }

    private static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// The lines of stdin; the stream ends at end of file. The reads block a thread of their own, not the pool.
    private static func stdinLines() -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream<String>.makeStream()
        Thread.detachNewThread {
            while let line = readLine() { continuation.yield(line) }
            continuation.finish()
        }
        return stream
    }
}
