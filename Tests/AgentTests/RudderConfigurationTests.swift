import Agent
import Logging
import PodRouting
import Testing

/// A path inside the repository, found from this file so the tests run from any working directory.
func repositoryPath(_ relative: String) -> String {
    let components = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    // This file is Tests/AgentTests/RudderConfigurationTests.swift under the repository root.
    return (components.dropLast(3) + [Substring(relative)]).joined(separator: "/")
}

/// One file that must be rejected with exactly one problem.
struct BadInput: Sendable, CustomTestStringConvertible {
    /// The file's text.
    var yaml: String
    /// The line the problem must point at; nil when it concerns the whole file.
    var line: Int?
    /// Text the message must contain: the key or object it names, and the reason.
    var message: String

    init(_ yaml: String, line: Int?, _ message: String) {
        self.yaml = yaml
        self.line = line
        self.message = message
    }

    var testDescription: String { message }
}

@Suite struct RudderConfigurationTests {
    private func problems(in yaml: String) -> [ConfigurationProblem] {
        do {
            _ = try RudderConfiguration.parse(yaml: yaml, file: "rudder.yaml")
            return []
        } catch {
            return error.problems
        }
    }

    @Test func anEmptyMappingGivesTheDefaults() throws {
        let configuration = try RudderConfiguration.parse(yaml: "{}\n", file: "rudder.yaml")
        #expect(configuration == .default)
        #expect(configuration.nodeName == nil)
        #expect(configuration.logLevel == .info)
        #expect(configuration.podRouting.enabled)
        #expect(configuration.podRouting.resyncInterval == .seconds(300))
        #expect(configuration.podRouting.routesFile == nil)
        #expect(configuration.podRoutingSettings == PodRoutingSettings())
    }

    @Test func everyOptionIsRead() throws {
        let yaml = """
            nodeName: worker-7.example.org
            logLevel: debug
            podRouting:
              enabled: false
              routeProtocol: 201
              table: 100
              metric: 50
              resyncInterval: 1h30m
              routesFile: /etc/rudder/routes.yaml
            """
        let configuration = try RudderConfiguration.parse(yaml: yaml, file: "rudder.yaml")
        let expected = RudderConfiguration(
            nodeName: "worker-7.example.org", logLevel: .debug,
            podRouting: .init(
                enabled: false, routeProtocol: 201, table: 100, metric: 50, resyncInterval: .seconds(5400),
                routesFile: "/etc/rudder/routes.yaml"))
        #expect(configuration == expected)
        #expect(configuration.podRoutingSettings == PodRoutingSettings(protocolNumber: 201, table: 100, metric: 50))
    }

    @Test(arguments: [("main", UInt32(254)), ("254", 254), ("253", 253), ("4294967295", 4_294_967_295)])
    func tables(text: String, table: UInt32) throws {
        let configuration = try RudderConfiguration.parse(yaml: "podRouting:\n  table: \(text)\n", file: "rudder.yaml")
        #expect(configuration.podRouting.table == table)
    }

    @Test(arguments: [("10s", 10), ("30s", 30), ("5m", 300), ("1h", 3600), ("2h5m10s", 7510)])
    func durations(text: String, seconds: Int64) throws {
        let yaml = "podRouting:\n  resyncInterval: \(text)\n"
        let configuration = try RudderConfiguration.parse(yaml: yaml, file: "rudder.yaml")
        #expect(configuration.podRouting.resyncInterval == .seconds(seconds))
    }

    /// RFC 4271 §4.2: a hold time is 0 (no KEEPALIVEs, no hold timer) or at least 3 seconds.
    @Test(arguments: [("0s", 0), ("3s", 3), ("90s", 90)])
    func holdTimes(text: String, seconds: Int64) throws {
        let configuration = try RudderConfiguration.parse(yaml: "bgp:\n  holdTime: \(text)\n", file: "rudder.yaml")
        #expect(configuration.bgp.holdTime == .seconds(seconds))
    }

    @Test func logLinesAreTextOrJSON() throws {
        #expect(try RudderConfiguration.parse(yaml: "logging:\n  format: json\n", file: "f").logging.format == .json)
        #expect(try RudderConfiguration.parse(yaml: "{}", file: "f").logging.format == .text)
        #expect(throws: ConfigurationError.self) {
            try RudderConfiguration.parse(yaml: "logging:\n  format: logfmt\n", file: "f")
        }
    }

    @Test func everyLogLevelIsAccepted() throws {
        for level in Logger.Level.allCases {
            let configuration = try RudderConfiguration.parse(yaml: "logLevel: \(level.rawValue)\n", file: "f")
            #expect(configuration.logLevel == level)
        }
    }

    @Test func emptyValuesMeanTheDefault() throws {
        let yaml = "nodeName:\nlogLevel: ~\npodRouting:\n  metric:\n  routesFile: null\n"
        #expect(try RudderConfiguration.parse(yaml: yaml, file: "rudder.yaml") == .default)
        #expect(try RudderConfiguration.parse(yaml: "podRouting:\n", file: "rudder.yaml") == .default)
    }

    static let badInputs: [BadInput] = [
        BadInput(
            "logLevel: info\npodrouting:\n  enabled: true\n", line: 2,
            "unknown key 'podrouting' in the top level (expected: nodeName, logLevel, logging, controlSocket, podRouting, "
                + "podNetwork, kubernetes, serviceProxy, http, metrics, bgp)"),
        BadInput(
            "metrics:\n  cgroupSearchPaths: [kubepods]\n", line: 2,
            "metrics.cgroupSearchPaths: 'kubepods' is not a cgroup path (it must start with /)"),
        BadInput("metrics:\n  containers: maybe\n", line: 2, "containers"),
        BadInput(
            "bgp:\n  peers:\n    - address: 192.0.2.1\n", line: 3, "bgp.peers[0]: the peer has no 'remoteAS'"),
        BadInput(
            "bgp:\n  peers:\n    - address: 192.0.2.300\n      remoteAS: 65000\n", line: 3,
            "bgp.peers[0].address: '192.0.2.300' is not an IP address"),
        BadInput("bgp:\n  holdTime: 2s\n", line: 2, "bgp.holdTime: 2s is too short; the minimum is 3s, or 0"),
        BadInput("bgp:\n  routerID: 2001:db8::1\n", line: 2, "bgp.routerID: '2001:db8::1' is not an IPv4 address"),
        BadInput("bgp:\n  communities: [65000:100, banana]\n", line: 2, "'banana' is not a community"),
        BadInput(
            "podRouting:\n  enabled: true\n  tabel: 100\n", line: 3,
            "unknown key 'tabel' in podRouting (expected: enabled, routeProtocol, table, metric, resyncInterval, "
                + "routesFile)"),
        BadInput("podRouting: true\n", line: 1, "podRouting: expected a mapping"),
        BadInput("nodeName: Worker_1\n", line: 1, "nodeName: 'Worker_1' is not a valid Kubernetes node name"),
        BadInput("nodeName: [a, b]\n", line: 1, "nodeName: expected a string, got a list"),
        BadInput("logLevel: verbose\n", line: 1, "logLevel: expected one of trace, debug, info"),
        BadInput("podRouting:\n  enabled: maybe\n", line: 2, "podRouting.enabled: expected a boolean"),
        BadInput("podRouting:\n  enabled: \"true\"\n", line: 2, "podRouting.enabled: expected a boolean"),
        BadInput(
            "podRouting:\n  routeProtocol: 2\n", line: 2,
            "podRouting.routeProtocol: 2 is the reserved protocol 'kernel'"),
        BadInput("podRouting:\n  routeProtocol: 0\n", line: 2, "reserved protocol 'unspec'"),
        BadInput("podRouting:\n  routeProtocol: 4\n", line: 2, "reserved protocol 'static'"),
        BadInput("podRouting:\n  routeProtocol: 256\n", line: 2, "podRouting.routeProtocol: 256 is out of range"),
        BadInput("podRouting:\n  routeProtocol: rudder\n", line: 2, "podRouting.routeProtocol: expected an integer"),
        BadInput("podRouting:\n  table: local\n", line: 2, "podRouting.table: the local table (255) holds"),
        BadInput("podRouting:\n  table: 255\n", line: 2, "podRouting.table: the local table (255) holds"),
        BadInput("podRouting:\n  table: 0\n", line: 2, "podRouting.table: 0 is out of range"),
        BadInput("podRouting:\n  table: 4294967296\n", line: 2, "podRouting.table: 4294967296 is out of range"),
        BadInput("podRouting:\n  table: \"254\"\n", line: 2, "podRouting.table: expected an integer"),
        BadInput("podRouting:\n  table: mian\n", line: 2, "expected an integer 1...4294967295 or main, got 'mian'"),
        BadInput("podRouting:\n  metric: 1.5\n", line: 2, "podRouting.metric: expected an integer 0...4294967295"),
        BadInput("podRouting:\n  metric: -1\n", line: 2, "podRouting.metric: -1 is out of range"),
        BadInput("podRouting:\n  resyncInterval: 5s\n", line: 2, "podRouting.resyncInterval: 5s is too short"),
        BadInput("podRouting:\n  resyncInterval: 300\n", line: 2, "podRouting.resyncInterval: expected a duration"),
        BadInput("podRouting:\n  resyncInterval: 5 min\n", line: 2, "podRouting.resyncInterval: expected a duration"),
        BadInput("podRouting:\n  routesFile: 42\n", line: 2, "podRouting.routesFile: expected a string, got '42'"),
        BadInput("podRouting:\n  routesFile: ''\n", line: 2, "podRouting.routesFile: must not be empty"),
        BadInput("logLevel: info\nlogLevel: debug\n", line: 1, "key 'logLevel' appears more than once"),
        BadInput("podRouting:\n  enabled: [true\n", line: 3, "YAML syntax error"),
        BadInput("podRouting:\n\tenabled: true\n", line: 2, "YAML does not allow tabs"),
        BadInput("", line: nil, "the file is empty"),
        BadInput("# nothing but a comment\n", line: nil, "the file is empty"),
        BadInput("- logLevel: info\n", line: 1, "the top level: expected a mapping"),
    ]

    @Test(arguments: badInputs)
    func badInputGivesOneProblem(input: BadInput) {
        let found = problems(in: input.yaml)
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.line == input.line)
        #expect(found.first?.message.contains(input.message) == true, "\(found.first?.message ?? "none")")
    }

    @Test func everyProblemIsReportedInFileOrder() {
        let yaml = """
            logLevel: loud
            colour: blue
            podRouting:
              enabled: 1
              routeProtocol: 3
              table: local
              resyncInterval: 1s
              extra: true
            """
        let found = problems(in: yaml)
        #expect(found.map(\.line) == [1, 2, 4, 5, 6, 7, 8])
        #expect(found.map(\.column) == [11, 1, 12, 18, 10, 19, 3])
    }

    @Test func errorsReadLikeCompilerDiagnostics() {
        do {
            _ = try RudderConfiguration.parse(yaml: "podRouting:\n  table: local\n  metric: x\n", file: "/etc/r.yaml")
            Issue.record("expected an error")
        } catch {
            let lines = "\(error)".split(separator: "\n")
            #expect(lines.count == 2)
            #expect(lines[0].hasPrefix("/etc/r.yaml:2:10: podRouting.table: the local table (255) holds"))
            #expect(lines[1] == "/etc/r.yaml:3:11: podRouting.metric: expected an integer 0...4294967295, got 'x'")
        }
    }

    @Test func anUnreadableFileIsOneProblemWithTheErrnoText() {
        do {
            _ = try RudderConfiguration.load(path: "/nonexistent/rudder.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.file == "/nonexistent/rudder.yaml")
            #expect(error.problems.count == 1)
            #expect(error.problems.first?.line == nil)
            #expect("\(error)" == "/nonexistent/rudder.yaml: cannot read the file: No such file or directory (errno 2)")
        }
        do {
            _ = try RudderConfiguration.load(path: repositoryPath("docs"))
            Issue.record("expected an error")
        } catch {
            #expect(error.problems.first?.message.contains("Is a directory") == true)
        }
    }

    @Test func theNodeNameComesFromTheFileThenTheEnvironmentThenTheHostName() {
        let configured = RudderConfiguration(nodeName: "from-file")
        #expect(configured.resolvedNodeName(environment: ["NODE_NAME": "from-env"], hostname: "host") == "from-file")
        let unset = RudderConfiguration.default
        #expect(unset.resolvedNodeName(environment: ["NODE_NAME": " from-env\n"], hostname: "host") == "from-env")
        #expect(unset.resolvedNodeName(environment: ["NODE_NAME": ""], hostname: "Host-1\n") == "host-1")
        #expect(unset.resolvedNodeName(environment: [:], hostname: "Worker-3.Example.org") == "worker-3.example.org")
    }

    @Test func theShippedExampleHasEveryOptionAtItsDefault() throws {
        let configuration = try RudderConfiguration.load(path: repositoryPath("docs/examples/rudder.yaml"))
        #expect(configuration == .default)
    }
}
