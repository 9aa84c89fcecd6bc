import Foundation
import Kubernetes
import KubernetesModel
import RudderLab
import Testing

/// The client against the test API server: TLS, the three ways to authenticate, token rotation, errors, streams.
@Suite(.serialized) struct HTTPClientIntegrationTests {
    static let node = TestAPIServer.nodeJSON(name: "worker-1", podCIDR: "10.244.1.0/24", internalIP: "192.0.2.11")

    @Test func tlsWithTheCAFromTheKubeconfigAndABearerToken() async throws {
        let harness = try APIServerHarness(user: .token)
        try harness.server.put(Self.node)
        let client = try harness.client()
        let nodes = try await client.list(Node.self)
        #expect(nodes.items.map(\.metadata.name) == ["worker-1"])
        #expect(nodes.items.first?.spec.podCIDR == "10.244.1.0/24")
        let node = try await client.get(Node.self, name: "worker-1")
        #expect(node.address(ofType: "InternalIP") == "192.0.2.11")
        let requests = try harness.server.requests().filter { $0.path.hasPrefix("/api/") }
        #expect(requests.map(\.user) == ["token:rudder", "token:rudder"])
        #expect(requests.map(\.status) == [200, 200])
    }

    @Test func clientCertificateFiles() async throws {
        let harness = try APIServerHarness(user: .clientCertificate)
        try harness.server.put(Self.node)
        let nodes = try await harness.client().list(Node.self)
        #expect(nodes.items.count == 1)
        #expect(try harness.server.requests().last?.user == "cert:system:node:test")
    }

    @Test func embeddedCAAndClientCertificate() async throws {
        let harness = try APIServerHarness()
        try harness.server.put(Self.node)
        let certificates = harness.server.certificates
        func base64(_ path: String) throws -> String {
            try Data(contentsOf: URL(fileURLWithPath: path)).base64EncodedString()
        }
        let yaml = """
            clusters:
            - name: c
              cluster:
                server: \(harness.server.url)
                certificate-authority-data: \(try base64(certificates.caCertificate))
            users:
            - name: u
              user:
                client-certificate-data: \(try base64(certificates.clientCertificate))
                client-key-data: \(try base64(certificates.clientKey))
            contexts:
            - {name: x, context: {cluster: c, user: u}}
            current-context: x
            """
        var configuration = try ClientConfiguration.fromKubeconfig(KubeConfig(yaml: yaml, path: "/embedded"))
        configuration.proxyURL = ""
        let client = try KubernetesHTTPClient(configuration: configuration, logger: APIServerHarness.logger)
        #expect(try await client.list(Node.self).items.count == 1)
        #expect(try harness.server.requests().last?.user == "cert:system:node:test")
    }

    @Test func rotatedTokenFileIsUsedByTheNextRequest() async throws {
        let harness = try APIServerHarness(user: .tokenFile)
        let client = try harness.client()
        _ = try await client.list(Service.self)
        try harness.server.setTokens(["rotated-token-2"])
        _ = try await client.list(Service.self)
        try harness.server.setTokens(["again-token-3"])
        _ = try await client.list(Service.self)
        let users = try harness.server.requests().filter { $0.path == "/api/v1/services" }.map(\.user)
        #expect(users == ["token:rudder", "token:rotate", "token:again-"])
    }

    @Test func aRejectedTokenIsUnauthorized() async throws {
        let harness = try APIServerHarness(user: .token)
        let client = try harness.client()
        try harness.server.setTokens(["someone-else"])
        let error = await #expect(throws: KubernetesError.self) { try await client.list(Service.self) }
        guard case .unauthorized = error else {
            Issue.record("expected unauthorized, got \(String(describing: error))")
            return
        }
        #expect(error?.description.contains("HTTP 401 Unauthorized") == true)
    }

    @Test func aServerSignedByAnotherCAIsRefused() async throws {
        let harness = try APIServerHarness()
        let other = try TemporaryDirectory()
        let stranger = try TestCertificates.generate(in: other.path)
        var configuration = try ClientConfiguration.fromKubeconfig(path: harness.kubeconfig)
        configuration.proxyURL = ""
        configuration.certificateAuthority = .file(stranger.caCertificate)
        let client = try KubernetesHTTPClient(configuration: configuration, logger: APIServerHarness.logger)
        let error = await #expect(throws: KubernetesError.self) { try await client.list(Service.self) }
        guard case .transport(let code, let message, let url) = error else {
            Issue.record("expected a transport error, got \(String(describing: error))")
            return
        }
        #expect(code == 60, "CURLE_PEER_FAILED_VERIFICATION: \(message)")
        #expect(url == harness.server.url + "/api/v1/services")
    }

    @Test func tlsServerNameIsWhatTheCertificateIsCheckedAgainst() async throws {
        let harness = try APIServerHarness()
        var configuration = try ClientConfiguration.fromKubeconfig(path: harness.kubeconfig)
        configuration.proxyURL = ""
        configuration.tlsServerName = "localhost"
        let good = try KubernetesHTTPClient(configuration: configuration, logger: APIServerHarness.logger)
        #expect(try await good.list(Service.self).items.isEmpty)
        configuration.tlsServerName = "kubernetes.default.svc"
        let bad = try KubernetesHTTPClient(configuration: configuration, logger: APIServerHarness.logger)
        let error = await #expect(throws: KubernetesError.self) { try await bad.list(Service.self) }
        guard case .transport(let code, _, _) = error else {
            Issue.record("expected a transport error, got \(String(describing: error))")
            return
        }
        #expect(code == 60)
    }

    @Test func aKubeconfigWithAMissingCAFileIsOneClearError() throws {
        let harness = try APIServerHarness()
        let text = try String(contentsOfFile: harness.kubeconfig, encoding: .utf8)
        let missing = harness.directory.path + "/pki/renamed-ca.crt"
        let broken = try harness.directory.write(
            "broken-kubeconfig",
            text.replacingOccurrences(of: harness.server.certificates.caCertificate, with: missing))
        let error = #expect(throws: KubernetesConfigurationError.self) {
            try ClientConfiguration.fromKubeconfig(path: broken)
        }
        #expect(
            error?.description
                == "certificate authority file \(missing) (from kubeconfig \(broken)) cannot be read: "
                + "No such file or directory")
    }

    @Test func errorStatusesCarryTheServersStatus() async throws {
        let harness = try APIServerHarness()
        let client = try harness.client()
        let missing = await #expect(throws: KubernetesError.self) {
            try await client.get(Node.self, name: "no-such-node")
        }
        #expect(
            missing
                == .http(
                    status: 404, reason: "NotFound", message: #"nodes "no-such-node" not found"#,
                    url: harness.server.url + "/api/v1/nodes/no-such-node"))
        let raw = try await client.get(path: "/api/v1/nodes/no-such-node")
        #expect(raw.status == 404 && String(decoding: raw.body, as: UTF8.self).contains(#""kind":"Status""#))

        try harness.server.fail(status: 503, count: 1, path: "/api/v1/services")
        let unavailable = await #expect(throws: KubernetesError.self) { try await client.list(Service.self) }
        #expect(unavailable?.httpStatus == 503)
    }

    @Test func streamDeliversLinesAndStopsWhenTheConsumerStops() async throws {
        let harness = try APIServerHarness()
        let client = try harness.client(idleTimeout: .seconds(300))
        let version = try harness.server.resourceVersion()
        // The stream lives in this closure only: once the consumer is done with it, it is gone.
        let first: @Sendable () async throws -> String? = {
            let stream = client.stream(
                path: "/api/v1/nodes", query: [("watch", "true"), ("resourceVersion", String(version))],
                timeout: .seconds(300))
            for try await line in stream { return String(decoding: line, as: UTF8.self) }
            return nil
        }
        let reader = Task { try await first() }
        try harness.server.waitForWatchers(1)
        try harness.server.put(Self.node)
        let line = try await reader.value
        #expect(line?.hasPrefix(#"{"type":"ADDED","object":{"kind":"Node""#) == true, "\(line ?? "nil")")
        try await Polling.until("the watch connection to close", timeout: .seconds(5)) {
            try harness.server.watchers() == 0
        }
    }

    @Test func aSilentStreamCountsAsDead() async throws {
        let harness = try APIServerHarness()
        let client = try harness.client(idleTimeout: .seconds(2))
        // No bookmarks asked for and nothing changes: the connection is silent, as a dead one would be.
        let stream = client.stream(path: "/api/v1/nodes", query: [("watch", "true")], timeout: .seconds(300))
        let error = await #expect(throws: KubernetesError.self) {
            for try await _ in stream {}
        }
        guard case .transport(let code, _, _) = error else {
            Issue.record("expected a transport error, got \(String(describing: error))")
            return
        }
        #expect(code == 28, "CURLE_OPERATION_TIMEDOUT")
    }

    @Test func aStreamRefusedByTheServerThrowsItsStatus() async throws {
        let harness = try APIServerHarness()
        try harness.server.command(
            #"{"op":"fail","status":403,"count":1,"path":"watch=true","reason":"Forbidden","message":"nodes is forbidden: User \"x\" cannot watch resource \"nodes\""}"#
        )
        let stream = try harness.client().stream(path: "/api/v1/nodes", query: [("watch", "true")])
        let error = await #expect(throws: KubernetesError.self) {
            for try await _ in stream {}
        }
        #expect(
            error
                == .http(
                    status: 403, reason: "Forbidden",
                    message: #"nodes is forbidden: User "x" cannot watch resource "nodes""#,
                    url: harness.server.url + "/api/v1/nodes?watch=true"))
    }

    @Test func cancellingARequestEndsItAtOnce() async throws {
        let harness = try APIServerHarness()
        let client = try harness.client()
        try harness.server.delay(seconds: 60, count: 1, path: "/api/v1/pods")
        let started = ContinuousClock.now
        let request = Task { try await client.list(Pod.self) }
        try await Task.sleep(for: .milliseconds(300))
        request.cancel()
        let result = await request.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(ContinuousClock.now - started < .seconds(30), "well before the server's 60 s delay")
    }
}
