import Addresses
import Agent
import PodRouting
import Testing

@Suite struct RoutesFileTests {
    private func problems(in yaml: String) -> [ConfigurationProblem] {
        do {
            _ = try RoutesFile.parse(yaml: yaml, file: "routes.yaml")
            return []
        } catch {
            return error.problems
        }
    }

    private func address(_ text: String) -> IPAddress { IPAddress(text)! }
    private func prefix(_ text: String) throws -> IPPrefix { try IPPrefix(parsing: text) }

    @Test func aValidFileParses() throws {
        let yaml = """
            table: 254
            metric: 100
            routes:
              - prefix: 10.244.1.0/24
                via: 192.168.1.11
              - prefix: 10.244.2.0/24
                via: [192.168.1.12, 192.168.1.13]
                weights: {192.168.1.12: 2}
              - prefix: fd00:10:244:1::/64
                via: fd00:1::11
              - prefix: fd00:10:244:2::/64
                via:
                  - fd00:1::12
                  - fd00:1::13
                weights:
                  fd00:1::13: 256
            """
        let file = try RoutesFile.parse(yaml: yaml, file: "routes.yaml")
        let expected = RoutesFile(
            table: 254, metric: 100,
            routes: [
                PodRoute(prefix: try prefix("10.244.1.0/24"), nextHops: [address("192.168.1.11")]),
                PodRoute(
                    prefix: try prefix("10.244.2.0/24"), nextHops: [address("192.168.1.12"), address("192.168.1.13")],
                    weights: [address("192.168.1.12"): 2]),
                PodRoute(prefix: try prefix("fd00:10:244:1::/64"), nextHops: [address("fd00:1::11")]),
                PodRoute(
                    prefix: try prefix("fd00:10:244:2::/64"), nextHops: [address("fd00:1::12"), address("fd00:1::13")],
                    weights: [address("fd00:1::13"): 256]),
            ])
        #expect(file == expected)
    }

    @Test func tableAndMetricAreOptionalOverrides() throws {
        let plain = try RoutesFile.parse(yaml: "routes: []\n", file: "routes.yaml")
        #expect(plain == RoutesFile(routes: []))
        let base = PodRoutingSettings(protocolNumber: 44, table: 100, metric: 7)
        #expect(plain.settings(overriding: base) == base)

        let overriding = try RoutesFile.parse(yaml: "table: main\nmetric: 0\nroutes: []\n", file: "routes.yaml")
        #expect(overriding.table == 254)
        #expect(overriding.metric == 0)
        #expect(overriding.settings(overriding: base) == PodRoutingSettings(protocolNumber: 44, table: 254, metric: 0))
    }

    @Test func aHostPrefixWithoutLengthIsAccepted() throws {
        let file = try RoutesFile.parse(yaml: "routes:\n  - prefix: 10.244.9.9\n    via: 192.168.1.9\n", file: "r")
        #expect(file.routes.map(\.prefix) == [try prefix("10.244.9.9/32")])
    }

    static let badInputs: [BadInput] = [
        BadInput(
            "routes:\n  - prefix: 10.244.1.0/24\n    via: 192.168.1.11\n    comment: node a\n", line: 4,
            "unknown key 'comment' in routes[0] (expected: prefix, via, weights)"),
        BadInput("rotues: []\n", line: 1, "unknown key 'rotues' in the top level (expected: table, metric, routes)"),
        BadInput("table: 1\n", line: nil, "no 'routes' list"),
        BadInput("routes:\n", line: 1, "no 'routes' list"),
        BadInput("routes: {prefix: 10.0.0.0/8}\n", line: 1, "routes: expected a list of routes, got a mapping"),
        BadInput("routes:\n  - 10.0.0.0/8\n", line: 2, "routes[0]: expected a mapping with the keys prefix, via"),
        BadInput(
            "routes:\n  - prefix: 10.244.1.1/24\n    via: 192.168.1.11\n", line: 2,
            "routes[0].prefix: '10.244.1.1/24' has host bits set (did you mean 10.244.1.0/24?)"),
        BadInput(
            "routes:\n  - prefix: 10.244.1.0/33\n    via: 192.168.1.11\n", line: 2,
            "routes[0].prefix: '10.244.1.0/33': prefix length must be 0...32"),
        BadInput(
            "routes:\n  - prefix: pods\n    via: 192.168.1.11\n", line: 2,
            "routes[0].prefix: 'pods' is not an IP prefix"),
        BadInput("routes:\n  - via: 192.168.1.11\n", line: 2, "routes[0]: the route has no 'prefix'"),
        BadInput(
            "routes:\n  - prefix: 10.244.1.0/24\n    via: 192.168.1.300\n", line: 3,
            "routes[0].via: '192.168.1.300' is not an IP address"),
        BadInput(
            "routes:\n  - prefix: 10.244.1.0/24\n    via: [192.168.1.11, fd00::1]\n", line: 3,
            "routes[0].via: next hop fd00::1 is IPv6 but prefix 10.244.1.0/24 is IPv4"),
        BadInput(
            "routes:\n  - prefix: fd00:10:244:1::/64\n    via: 192.168.1.11\n", line: 3,
            "routes[0].via: next hop 192.168.1.11 is IPv4 but prefix fd00:10:244:1::/64 is IPv6"),
        BadInput(
            "routes:\n  - prefix: 10.244.1.0/24\n    via: []\n", line: 3,
            "routes[0].via: route 10.244.1.0/24 has no next hop (via is empty)"),
        BadInput(
            "routes:\n  - prefix: 10.244.1.0/24\n", line: 2,
            "routes[0]: route 10.244.1.0/24 has no 'via'"),
        BadInput(
            "routes:\n  - prefix: 10.244.1.0/24\n    via: {a: b}\n", line: 3,
            "routes[0].via: expected an IP address or a list of them, got a mapping"),
        BadInput(
            "routes:\n  - prefix: 10.244.1.0/24\n    via: [192.168.1.11, 192.168.1.11]\n", line: 3,
            "routes[0].via: next hop 192.168.1.11 is listed twice for route 10.244.1.0/24"),
        BadInput(
            "routes:\n  - prefix: 10.244.1.0/24\n    via: 192.168.1.11\n  - prefix: 10.244.2.0/24\n"
                + "    via: 192.168.1.12\n  - prefix: 10.244.1.0/24\n    via: 192.168.1.13\n", line: 6,
            "routes[2].prefix: prefix 10.244.1.0/24 is listed twice, at lines 2 and 6"),
        BadInput(
            "routes:\n  - prefix: 10.244.1.0/24\n    via: [192.168.1.11, 192.168.1.12]\n"
                + "    weights: {192.168.1.11: 0}\n", line: 4,
            "routes[0].weights[192.168.1.11]: 0 is out of range (expected an integer 1...256)"),
        BadInput(
            "routes:\n  - prefix: 10.244.1.0/24\n    via: [192.168.1.11, 192.168.1.12]\n"
                + "    weights: {192.168.1.11: 257}\n", line: 4,
            "routes[0].weights[192.168.1.11]: 257 is out of range"),
        BadInput(
            "routes:\n  - prefix: 10.244.1.0/24\n    via: [192.168.1.11, 192.168.1.12]\n"
                + "    weights: {192.168.1.11: heavy}\n", line: 4,
            "routes[0].weights[192.168.1.11]: expected an integer 1...256, got 'heavy'"),
        BadInput(
            "routes:\n  - prefix: 10.244.1.0/24\n    via: [192.168.1.11, 192.168.1.12]\n"
                + "    weights:\n      192.168.1.13: 2\n", line: 5,
            "routes[0].weights: 192.168.1.13 is not a next hop of route 10.244.1.0/24 "
                + "(via: 192.168.1.11, 192.168.1.12)"),
        BadInput(
            "routes:\n  - prefix: 10.244.1.0/24\n    via: [192.168.1.11, 192.168.1.12]\n"
                + "    weights: {node-a: 2}\n", line: 4,
            "routes[0].weights: 'node-a' is not an IP address"),
        BadInput(
            "routes:\n  - prefix: 10.244.1.0/24\n    via: 192.168.1.11\n    weights: [2]\n", line: 4,
            "routes[0].weights: expected a mapping from next hop to weight, got a list"),
        BadInput("table: local\nroutes: []\n", line: 1, "table: the local table (255) holds the kernel's local"),
        BadInput("metric: big\nroutes: []\n", line: 1, "metric: expected an integer 0...4294967295, got 'big'"),
        BadInput("routes: []\nroutes: []\n", line: 1, "key 'routes' appears more than once"),
        BadInput("routes:\n  - prefix: 10.244.1.0/24\n   via: 192.168.1.11\n", line: 3, "YAML syntax error"),
        BadInput("", line: nil, "the file is empty"),
    ]

    @Test(arguments: badInputs)
    func badInputGivesOneProblem(input: BadInput) {
        let found = problems(in: input.yaml)
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.line == input.line)
        #expect(found.first?.message.contains(input.message) == true, "\(found.first?.message ?? "none")")
    }

    @Test func everyProblemIsReportedAndNothingIsReturned() {
        let yaml = """
            table: 0
            routes:
              - prefix: 10.244.1.0/24
                via: 192.168.1.11
              - prefix: 10.244.2.1/24
                via: 192.168.1.12
              - prefix: 10.244.3.0/24
                via: fd00::1
              - prefix: 10.244.1.0/24
                vai: 192.168.1.14
            """
        let found = problems(in: yaml)
        #expect(found.map(\.line) == [1, 5, 8, 9, 10])
        #expect(found[0].message.hasPrefix("table: 0 is out of range"))
        #expect(found[1].message.hasPrefix("routes[1].prefix: '10.244.2.1/24' has host bits set"))
        #expect(found[2].message == "routes[2].via: next hop fd00::1 is IPv6 but prefix 10.244.3.0/24 is IPv4")
        #expect(found[3].message == "routes[3].prefix: prefix 10.244.1.0/24 is listed twice, at lines 3 and 9")
        // The misspelt key explains the missing 'via', which is therefore not reported on its own.
        #expect(found[4].message == "unknown key 'vai' in routes[3] (expected: prefix, via, weights)")
    }

    @Test func anUnreadableFileIsOneProblem() {
        do {
            _ = try RoutesFile.load(path: "/nonexistent/routes.yaml")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)" == "/nonexistent/routes.yaml: cannot read the file: No such file or directory (errno 2)")
        }
    }

    @Test func theShippedExampleParses() throws {
        let file = try RoutesFile.load(path: repositoryPath("docs/examples/routes.yaml"))
        #expect(file.table == 254)
        #expect(file.metric == 100)
        #expect(file.routes.count == 4)
        #expect(Set(file.routes.map(\.prefix.family)) == [.ipv4, .ipv6])
        #expect(file.routes.contains { $0.nextHops.count > 1 && !$0.weights.isEmpty })
    }
}
