import Foundation
import Netlink
import RudderLab
import ServiceProxy

#if canImport(Glibc)
    import Glibc
#endif

/// A `rudder` process started in the guest, its output going to a file.
final class RudderProcess {
    let process = Process()
    let outputPath: String

    init(arguments: [String], output: String) throws {
        outputPath = output
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        _ = FileManager.default.createFile(atPath: output + ".err", contents: nil)
        process.executableURL = URL(fileURLWithPath: RudderCommandTests.rudder)
        process.arguments = arguments
        process.standardOutput = FileHandle(forWritingAtPath: output)
        process.standardError = FileHandle(forWritingAtPath: output + ".err")
        try process.run()
    }

    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    /// What the process wrote to standard error: the agent's log.
    var errors: String { (try? String(contentsOfFile: outputPath + ".err", encoding: .utf8)) ?? "" }

    /// Polls the output for `text` for up to 30 s.
    func waitForOutput(_ text: String) throws {
        for _ in 0..<300 where !output.contains(text) {
            guard process.isRunning else { break }
            usleep(100_000)
        }
        guard output.contains(text) else {
            let errors = (try? String(contentsOfFile: outputPath + ".err", encoding: .utf8)) ?? ""
            throw TrafficError(operation: "rudder never printed \(text.debugDescription): \(output) \(errors)")
        }
    }

    func kill(_ signal: Int32) {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, signal)
        process.waitUntilExit()
    }
}
