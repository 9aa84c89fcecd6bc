import Foundation
import RudderLab

#if canImport(Glibc)
    import Glibc
#endif

/// A real Prometheus (Debian's `prometheus`) scraping one target every second, on a free port,
/// with its own configuration and data folder; `stop()` kills it and removes the folder.
final class PrometheusServer: @unchecked Sendable {
    let directory: String
    let port: Int
    private let process = Process()

    /// Starts Prometheus scraping `target` ("127.0.0.1:PORT") at `/metrics`.
    init(target: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rudder-prometheus-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        port = try Self.freePort()
        try """
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
          evaluation_interval: 1s
        scrape_configs:
          - job_name: rudder
            static_configs:
              - targets: ['\(target)']
        """.write(toFile: directory + "/prometheus.yml", atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: Shell.resolve("prometheus") ?? "/usr/bin/prometheus")
        process.arguments = [
            "--config.file=\(directory)/prometheus.yml", "--storage.tsdb.path=\(directory)/data",
            "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
        ]
        process.standardInput = FileHandle.nullDevice
        _ = FileManager.default.createFile(atPath: directory + "/log", contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: directory + "/log")
        process.standardError = FileHandle(forWritingAtPath: directory + "/log")
        do {
            try process.run()
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// What Prometheus logged.
    var log: String { (try? String(contentsOfFile: directory + "/log", encoding: .utf8)) ?? "" }

    /// The result of an instant query: each series' labels and value.
    func query(_ expression: String) throws -> [(labels: [String: String], value: String)] {
        let encoded = expression.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? expression
        let body = try Shell.check("curl", ["-sf", "http://127.0.0.1:\(port)/api/v1/query?query=\(encoded)"])
        guard let reply = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
            reply["status"] as? String == "success", let data = reply["data"] as? [String: Any],
            let result = data["result"] as? [[String: Any]]
        else { throw ShellError(commandLine: ["query", expression], reason: "unexpected reply: \(body)") }
        return result.compactMap { series in
            guard let labels = series["metric"] as? [String: String], let value = series["value"] as? [Any],
                value.count == 2, let text = value[1] as? String
            else { return nil }
            return (labels, text)
        }
    }

    /// Kills Prometheus, waits for it, and removes its folder.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A TCP port nothing listens on now (bound to port 0, then released).
    private static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else {
            throw ShellError(commandLine: ["socket"], reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else { throw ShellError(commandLine: ["bind"], reason: String(cString: strerror(errno))) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
