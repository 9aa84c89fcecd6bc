import Foundation
import RudderLab

#if canImport(Glibc)
    import Glibc
#endif

/// `rudder run` in a User-Mode Linux guest, following a test API server on the guest's loopback.
///
/// Everything lives under a private folder in the guest's `/run` (a tmpfs), so nothing reaches
/// the host's disk; `stop` kills the agent and the server.
final class GuestAgent {
    let directory: String
    let server: TestAPIServer
    private(set) var agent: RudderProcess?

    /// Starts the API server holding `objects`; the agent starts with `start`.
    init(objects: [String]) throws {
        directory = "/run/rudder-agent-\(UInt32.random(in: .min ... .max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        server = TestAPIServer(directory: directory + "/apiserver", bookmarkInterval: 1)
        do {
            try server.start()
            try server.writeKubeconfig(to: directory + "/kubeconfig", user: .tokenFile)
            if !objects.isEmpty { try server.load(objects) }
        } catch {
            stop()
            throw error
        }
    }

    /// Starts `rudder run` as node-a with `serviceProxy` lines added to the proxy section.
    func start(serviceProxy: [String] = [], podRouting: Bool = true) throws {
        let proxy = serviceProxy.map { "  " + $0 }.joined(separator: "\n")
        try """
        nodeName: node-a
        logLevel: debug
        kubernetes:
          kubeconfig: \(directory)/kubeconfig
        podRouting:
          enabled: \(podRouting)
        serviceProxy:
          ownershipRecord: \(directory)/ipvs-services
        \(proxy)
        http:
          host: 127.0.0.1
          port: 20244
        """.write(toFile: directory + "/rudder.yaml", atomically: true, encoding: .utf8)
        agent = try RudderProcess(
            arguments: ["run", "--config", directory + "/rudder.yaml"], output: directory + "/agent.out")
    }

    /// The agent's log, for a failure's message.
    var log: String { agent.map { String($0.errors.suffix(6000)) } ?? "" }

    /// The status code of a GET on the agent's HTTP port.
    static func http(_ path: String) throws -> Int {
        let result = try Shell.run(
            "curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:20244\(path)"])
        return Int(result.stdout) ?? 0
    }

    /// Waits until `condition` holds; a timeout carries `context()`. Generous: guests share two
    /// cores with the rest of the suite, other guests included.
    static func waitUntil(
        _ what: String, _ context: () -> String, timeout: Duration = .seconds(240), _ condition: () throws -> Bool
    ) async throws {
        try await Polling.until(what, timeout: timeout, every: .milliseconds(100), context: context, condition)
    }

    /// Kills the agent and the server and removes the folder.
    func stop() {
        agent?.kill(SIGKILL)
        server.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
