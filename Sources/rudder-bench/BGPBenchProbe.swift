import Foundation
import RudderLab

/// Reads what the BGP benchmarks measure from outside a process: peak RSS from /proc, and the
/// route counts BIRD and gobgpd report.
enum BGPBenchProbe {
    /// A failed probe: what was read and what was wrong with it.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Polls `condition` as `Polling.until` does, except that a `Failure` it throws (a process
    /// died) ends the wait at once instead of counting as "not yet".
    static func until(
        _ what: String, timeout: Duration, every interval: Duration = .milliseconds(50),
        context: () -> String = { "" }, _ condition: () throws -> Bool
    ) async throws {
        var fatal: Failure?
        try await Polling.until(what, timeout: timeout, every: interval, context: context) {
            do {
                return try condition()
            } catch let failure as Failure {
                fatal = failure
                return true
            }
        }
        if let fatal { throw fatal }
    }

    /// The peak resident set size (VmHWM) of process `pid`, in bytes.
    static func peakRSS(pid: Int32) throws -> Int {
        let path = "/proc/\(pid)/status"
        let status = try String(contentsOfFile: path, encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kibibytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { throw Failure(description: "\(path): no VmHWM line") }
        return kibibytes * 1024
    }

    /// The CPU time (user and system, every thread) process `pid` has used so far, in clock ticks
    /// of 10 ms.
    static func cpuTime(pid: Int32) throws -> Duration {
        let path = "/proc/\(pid)/stat"
        let stat = try String(contentsOfFile: path, encoding: .utf8)
        // Fields after the command name, which may hold spaces: state is the 3rd field, utime the 14th.
        guard let close = stat.lastIndex(of: ")") else { throw Failure(description: "\(path): no command name") }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else {
            throw Failure(description: "\(path): unexpected \"\(stat)\"")
        }
        return .milliseconds((user + system) * 1000 / sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The routes protocol `name` imported, from `birdc show protocols all NAME` ("Routes: N imported").
    ///
    /// This is a counter BIRD keeps, so asking is cheap even with a million routes (unlike `show
    /// route count`, which walks the table); and any request wakes an idle BIRD sender.
    static func birdImported(socket: String, protocolName name: String) throws -> Int {
        try birdImported(output: Shell.check("birdc", ["-s", socket, "show", "protocols", "all", name]), name: name)
    }

    /// The same, over an open control connection.
    static func birdImported(_ connection: BirdControlConnection, protocolName name: String) throws -> Int {
        try birdImported(output: connection.command("show protocols all \(name)").joined(separator: "\n"), name: name)
    }

    private static func birdImported(output: String, name: String) throws -> Int {
        guard let line = output.split(separator: "\n").first(where: { $0.contains("Routes:") }) else { return 0 }
        let fields = line.split(separator: " ")
        guard let index = fields.firstIndex(of: "imported,"), index > 0, let count = Int(fields[index - 1]) else {
            throw Failure(description: "birdc show protocols all \(name): unexpected line \"\(line)\"")
        }
        return count
    }

    /// BIRD's `show protocols NAME` line (state and info columns), for waiting between runs.
    static func birdProtocolLine(socket: String, protocolName name: String) throws -> String {
        let output = try Shell.check("birdc", ["-s", socket, "show", "protocols", name])
        return output.split(separator: "\n").first { $0.hasPrefix(name + " ") }.map(String.init) ?? ""
    }

    /// The destinations in gobgpd's global IPv4 RIB (`gobgp global rib summary`: "Destination: N, Path: M").
    static func gobgpDestinations(target: String) throws -> Int {
        let output = try Shell.check("gobgp", ["--target", target, "global", "rib", "summary", "-a", "ipv4"])
        guard let range = output.range(of: "Destination: ") else {
            throw Failure(description: "gobgp global rib summary: unexpected output \"\(output)\"")
        }
        let digits = output[range.upperBound...].prefix { $0.isNumber }
        guard let count = Int(digits) else {
            throw Failure(description: "gobgp global rib summary: unexpected output \"\(output)\"")
        }
        return count
    }

    /// "94.1 MiB".
    static func format(bytes: Int) -> String {
        String(format: "%.1f MiB", Double(bytes) / 1_048_576)
    }

    /// Seconds as a Double, for ratios.
    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
