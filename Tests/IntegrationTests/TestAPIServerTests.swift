import Foundation
import RudderLab
import Testing

/// The kube-apiserver double, driven with the curl command line as an outside client would.
@Suite("Test API server")
struct TestAPIServerTests {
    /// What curl got: the HTTP status (0 when none), the body and curl's exit status.
    struct Response: Sendable {
        var status: Int
        var body: String
        var exitStatus: Int32
        var stderr: String

        /// The body as a JSON object.
        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
        }

        /// The body as watch events, one JSON object a line.
        var events: [[String: Any]] {
            body.split(separator: "\n").compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
            }
        }
    }

    enum Credentials {
        case none
        case token(String)
        case certificate(certificate: String, key: String)
    }

    /// Runs `body` with a started server in a fresh directory; stops it and removes the directory after.
    func withServer<T>(
        tls: Bool = true, tokens: [String] = ["rudder-test-token"], clientCertificates: Bool = true,
        bookmarkInterval: Double = 1.0, stateFile: Bool = true, _ body: (TestAPIServer) async throws -> T
    ) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rudder-apiserver-\(UUID())")
            .path
        let server = TestAPIServer(
            directory: directory, tls: tls, tokens: tokens, clientCertificates: clientCertificates,
            bookmarkInterval: bookmarkInterval, stateFile: stateFile)
        defer {
            server.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }
        try server.start()
        return try await body(server)
    }

    /// GETs `path` from `server` with curl.
    func curl(
        _ server: TestAPIServer, _ path: String, credentials: Credentials? = nil, caCertificate: String? = nil,
        extra: [String] = []
    ) throws -> Response {
        var arguments = ["-sS", "-g", "-w", "\n%{http_code}"]
        if server.tls { arguments += ["--cacert", caCertificate ?? server.certificates.caCertificate] }
        switch credentials ?? .token(server.token ?? "") {
        case .none: break
        case .token(let token): arguments += ["-H", "Authorization: Bearer \(token)"]
        case .certificate(let certificate, let key): arguments += ["--cert", certificate, "--key", key]
        }
        let result = try Shell.run("/usr/bin/curl", arguments + extra + [server.url + path])
        var body = result.stdout
        var status = 0
        if let newline = body.lastIndex(of: "\n") {
            status = Int(body[body.index(after: newline)...]) ?? 0
            body = String(body[..<newline])
        }
        return Response(status: status, body: body, exitStatus: result.status, stderr: result.stderr)
    }

    /// A curl on a thread of its own: the tests block their threads, so the cooperative pool may have
    /// none left for a `Task`.
    final class BackgroundCurl: @unchecked Sendable {
        private let finished = DispatchSemaphore(value: 0)
        private var result: Result<Response, any Error>?

        init(_ work: @escaping @Sendable () throws -> Response) {
            Thread { [self] in
                result = Result { try work() }
                finished.signal()
            }.start()
        }

        /// Waits for curl to exit.
        func wait() throws -> Response {
            finished.wait()
            return try result!.get()
        }
    }

    /// Starts a curl watch in the background; its result comes when the stream ends.
    func watch(_ server: TestAPIServer, _ query: String, maxTime: Int = 3) -> BackgroundCurl {
        BackgroundCurl {
            try curl(server, "/api/v1/services?watch=1&" + query, extra: ["-N", "--max-time", "\(maxTime)"])
        }
    }

    func service(_ name: String, namespace: String = "default", labels: [String: String] = [:]) -> String {
        TestAPIServer.serviceJSON(namespace: namespace, name: name, clusterIP: "10.96.0.10", labels: labels)
    }

    func names(_ items: Any?) -> [String] {
        (items as? [[String: Any]] ?? []).compactMap { ($0["metadata"] as? [String: Any])?["name"] as? String }
    }

    func metadata(_ object: [String: Any]) -> [String: Any] {
        object["metadata"] as? [String: Any] ?? [:]
    }

    @Test func servesTLSWithTheTestCAAndRejectsAnotherCA() async throws {
        try await withServer { server in
            let health = try curl(server, "/healthz", credentials: Credentials.none)
            #expect(health.status == 200 && health.body == "ok")
            let version = try curl(server, "/version", credentials: Credentials.none)
            #expect(version.json["gitVersion"] as? String == "v1.30.0")

            let other = try TestCertificates.generate(in: server.directory + "/other-ca")
            let wrong = try curl(server, "/healthz", credentials: Credentials.none, caCertificate: other.caCertificate)
            #expect(wrong.exitStatus == 60, "curl: \(wrong.stderr)")
            #expect(wrong.status == 0)
        }
    }

    @Test func refusesRequestsWithoutAValidToken() async throws {
        try await withServer { server in
            let anonymous = try curl(server, "/api/v1/services", credentials: Credentials.none)
            #expect(anonymous.status == 401)
            #expect(anonymous.json["reason"] as? String == "Unauthorized")
            #expect(anonymous.json["kind"] as? String == "Status")
            #expect(anonymous.json["code"] as? Int == 401)
            #expect(try curl(server, "/api/v1/services", credentials: .token("wrong")).status == 401)
            let good = try curl(server, "/api/v1/services")
            #expect(good.status == 200)
            #expect(good.json["kind"] as? String == "ServiceList")
            #expect(try server.requests().map(\.user) == ["anonymous", "anonymous", "token:rudder"])
        }
    }

    @Test func aRotatedTokenTakesEffectOnTheNextRequest() async throws {
        try await withServer { server in
            #expect(try curl(server, "/api/v1/nodes", credentials: .token("rudder-test-token")).status == 200)
            try server.setTokens(["second-token"])
            #expect(try curl(server, "/api/v1/nodes", credentials: .token("rudder-test-token")).status == 401)
            #expect(try curl(server, "/api/v1/nodes", credentials: .token("second-token")).status == 200)
        }
    }

    @Test func authenticatesClientCertificatesSignedByTheCA() async throws {
        try await withServer { server in
            let certificates = server.certificates
            let response = try curl(
                server, "/api/v1/pods",
                credentials: .certificate(certificate: certificates.clientCertificate, key: certificates.clientKey))
            #expect(response.status == 200)
            #expect(try server.requests().last?.user == "cert:system:node:test")

            let other = try TestCertificates.generate(in: server.directory + "/other-ca")
            let foreign = try curl(
                server, "/api/v1/pods",
                credentials: .certificate(certificate: other.clientCertificate, key: other.clientKey))
            #expect(foreign.status == 0 && foreign.exitStatus != 0, "a certificate from another CA must fail TLS")
        }
    }

    @Test func continuePagesComeFromOneSnapshot() async throws {
        try await withServer { server in
            try server.load((1...7).map { service("svc-\($0)") })
            let first = try curl(server, "/api/v1/namespaces/default/services?limit=3")
            let listRV = metadata(first.json)["resourceVersion"] as? String
            #expect(names(first.json["items"]) == ["svc-1", "svc-2", "svc-3"])
            #expect(metadata(first.json)["remainingItemCount"] as? Int == 4)
            #expect((first.json["items"] as? [[String: Any]])?.first?["kind"] == nil, "list items carry no kind")

            try server.put(service("svc-2a"))  // sorts into the middle of page 2
            try server.put(service("svc-4", labels: ["changed": "yes"]))
            let token = try #require(metadata(first.json)["continue"] as? String)
            let second = try curl(server, "/api/v1/namespaces/default/services?limit=3&continue=\(token)")
            #expect(names(second.json["items"]) == ["svc-4", "svc-5", "svc-6"])
            #expect(metadata(second.json)["resourceVersion"] as? String == listRV)
            let old4 = (second.json["items"] as? [[String: Any]])?.first.map(metadata)
            #expect(old4?["labels"] == nil, "page 2 shows svc-4 as it was at the first page")

            let token2 = try #require(metadata(second.json)["continue"] as? String)
            let third = try curl(server, "/api/v1/namespaces/default/services?limit=3&continue=\(token2)")
            #expect(names(third.json["items"]) == ["svc-7"])
            #expect(metadata(third.json)["continue"] == nil)

            let fresh = try curl(server, "/api/v1/services")
            #expect(names(fresh.json["items"]).count == 8)
            #expect(metadata(fresh.json)["resourceVersion"] as? String == String(try server.resourceVersion()))
        }
    }

    @Test func watchReplaysFromAResourceVersionAndStreamsLiveEvents() async throws {
        try await withServer { server in
            let start = try server.put(service("a"))
            let replayedRV = try server.put(service("b"))
            let stream = watch(server, "resourceVersion=\(start)&timeoutSeconds=1")
            try server.waitForWatchers()
            let liveRV = try server.put(service("a", labels: ["version": "2"]))
            try server.delete(kind: "Service", name: "b")
            let response = try stream.wait()
            #expect(response.exitStatus == 0, "the stream ends cleanly at timeoutSeconds: \(response.stderr)")
            let events = response.events
            #expect(events.map { $0["type"] as? String } == ["ADDED", "MODIFIED", "DELETED"])
            let objects = events.map { $0["object"] as? [String: Any] ?? [:] }
            #expect(objects.map { metadata($0)["name"] as? String } == ["b", "a", "b"])
            #expect(metadata(objects[0])["resourceVersion"] as? String == replayedRV)
            #expect(metadata(objects[1])["resourceVersion"] as? String == liveRV)
            #expect(objects[1]["kind"] as? String == "Service" && objects[1]["apiVersion"] as? String == "v1")
        }
    }

    @Test func watchWithoutResourceVersionStartsWithAddedAndSendsBookmarks() async throws {
        try await withServer(bookmarkInterval: 0.2) { server in
            try server.load([service("x"), service("y")])
            let response = try watch(server, "allowWatchBookmarks=true&timeoutSeconds=1").wait()
            let types = response.events.compactMap { $0["type"] as? String }
            #expect(types.prefix(2) == ["ADDED", "ADDED"])
            #expect(types.dropFirst(2).allSatisfy { $0 == "BOOKMARK" } && types.count >= 4)
            let bookmark = response.events.last?["object"] as? [String: Any] ?? [:]
            #expect(metadata(bookmark)["resourceVersion"] as? String == String(try server.resourceVersion()))
        }
    }

    @Test func selectorsFilterListsAndWatches() async throws {
        try await withServer { server in
            try server.load([
                service("front", labels: ["app": "shop", "tier": "web"]),
                service("back", labels: ["app": "shop", "tier": "db"]),
                service("other", namespace: "kube-system", labels: ["app": "dns"]),
                TestAPIServer.podJSON(name: "p1", nodeName: "node-1", podIP: "10.244.1.5"),
                TestAPIServer.podJSON(name: "p2", nodeName: "node-2", podIP: "10.244.2.5"),
            ])
            func list(_ query: String) throws -> [String] {
                names(try curl(server, "/api/v1/services?" + query).json["items"])
            }
            #expect(try list("labelSelector=app%3Dshop,tier!%3Ddb") == ["front"])
            #expect(try list("labelSelector=app%20in%20(dns,shop)") == ["back", "front", "other"])
            #expect(try list("labelSelector=!tier") == ["other"])
            #expect(try list("labelSelector=tier%20notin%20(web)") == ["back", "other"])
            #expect(try list("fieldSelector=metadata.namespace%3Dkube-system") == ["other"])
            #expect(try list("fieldSelector=metadata.name!%3Dfront,metadata.namespace%3D%3Ddefault") == ["back"])
            let pods = try curl(server, "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-2")
            #expect(names(pods.json["items"]) == ["p2"])
            let unsupported = try curl(server, "/api/v1/services?fieldSelector=spec.clusterIP%3D10.96.0.10")
            #expect(unsupported.status == 400)
            #expect(unsupported.json["message"] as? String == "field label not supported: spec.clusterIP")

            let start = try server.resourceVersion()
            let stream = watch(server, "resourceVersion=\(start)&labelSelector=tier%3Dweb&timeoutSeconds=1")
            try server.waitForWatchers()
            try server.put(service("front", labels: ["app": "shop", "tier": "edge"]))  // leaves the selector
            try server.put(service("back", labels: ["app": "shop", "tier": "web"]))  // joins it
            let events = try stream.wait().events
            #expect(events.map { $0["type"] as? String } == ["DELETED", "ADDED"])
            #expect(
                events.map { metadata($0["object"] as? [String: Any] ?? [:])["name"] as? String } == ["front", "back"])
        }
    }

    @Test func compactionExpiresOldWatchesAndContinueTokens() async throws {
        try await withServer { server in
            let old = try server.load([service("a"), service("b"), service("c")])
            let first = try curl(server, "/api/v1/services?limit=1")
            let token = try #require(metadata(first.json)["continue"] as? String)
            try server.put(service("d"))
            try server.compact()

            let expiredWatch = try curl(server, "/api/v1/services?watch=1&resourceVersion=\(old)", extra: ["-N"])
            #expect(expiredWatch.status == 200 && expiredWatch.exitStatus == 0)
            let event = try #require(expiredWatch.events.first)
            #expect(event["type"] as? String == "ERROR")
            let status = event["object"] as? [String: Any] ?? [:]
            #expect(status["code"] as? Int == 410 && status["reason"] as? String == "Expired")
            #expect((status["message"] as? String)?.hasPrefix("too old resource version: \(old) (") == true)

            let expiredContinue = try curl(server, "/api/v1/services?limit=1&continue=\(token)")
            #expect(expiredContinue.status == 410)
            #expect(expiredContinue.json["reason"] as? String == "Expired")
            #expect((expiredContinue.json["message"] as? String)?.hasPrefix("The provided continue parameter") == true)

            let fresh = try curl(server, "/api/v1/services")
            let freshRV = try #require(metadata(fresh.json)["resourceVersion"] as? String)
            let resumed = try curl(server, "/api/v1/services?watch=1&resourceVersion=\(freshRV)&timeoutSeconds=0.2")
            #expect(resumed.status == 200 && resumed.events.isEmpty)
        }
    }

    @Test func aRestartedServerKeepsObjectsResourceVersionsAndHistory() async throws {
        try await withServer { server in
            let first = try server.put(service("a"))
            let second = try server.put(service("b"))
            let port = server.port
            server.kill()
            #expect(try curl(server, "/healthz", credentials: Credentials.none).exitStatus == 7, "nothing listens")
            try server.restart()
            #expect(server.port == port)
            #expect(String(try server.resourceVersion()) == second)
            let list = try curl(server, "/api/v1/services")
            #expect(names(list.json["items"]) == ["a", "b"])
            let items = list.json["items"] as? [[String: Any]] ?? []
            #expect(items.map { metadata($0)["resourceVersion"] as? String } == [first, second])

            let replay = try curl(server, "/api/v1/services?watch=1&resourceVersion=\(first)&timeoutSeconds=0.2")
            #expect(replay.events.map { metadata($0["object"] as? [String: Any] ?? [:])["name"] as? String } == ["b"])
            #expect(Int(try server.put(service("c"))) == Int(second)! + 1)
        }
    }

    @Test func injectedFailuresAndDelays() async throws {
        try await withServer { server in
            try server.fail(status: 503, count: 2, path: "/services")
            #expect(try curl(server, "/healthz", credentials: Credentials.none).status == 200)
            let failed = try curl(server, "/api/v1/services")
            #expect(failed.status == 503)
            #expect(failed.json["reason"] as? String == "ServiceUnavailable")
            #expect(try curl(server, "/api/v1/services").status == 503)
            #expect(try curl(server, "/api/v1/services").status == 200)
            #expect(try server.requests().map(\.status) == [200, 503, 503, 200])
            try server.clearRequests()
            #expect(try server.requests().isEmpty)

            try server.delay(seconds: 0.4, count: 1)
            let started = Date()
            #expect(try curl(server, "/api/v1/nodes").status == 200)
            #expect(Date().timeIntervalSince(started) >= 0.4)
        }
    }

    @Test func droppedWatchesBreakWithoutAFinalChunk() async throws {
        try await withServer { server in
            try server.put(service("a"))
            let stream = watch(server, "resourceVersion=0")
            try server.waitForWatchers()
            try server.dropWatches()
            #expect(try server.watchers() == 0)
            let response = try stream.wait()
            #expect(response.exitStatus == 18, "curl reports a transfer closed mid-stream: \(response.stderr)")
            #expect(response.events.map { $0["type"] as? String } == ["ADDED"])
        }
    }

    @Test func fixturesAndBuildersAreServedAsGiven() async throws {
        try await withServer { server in
            let directory = TestAPIServer.fixturesDirectory
            let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }
                .sorted()
            #expect(files.count == 5)
            for file in files {
                try server.put(try String(contentsOfFile: directory + "/" + file, encoding: .utf8))
            }
            try server.load([
                TestAPIServer.serviceJSON(
                    name: "np", clusterIP: "10.96.0.20",
                    ports: [.init(name: "web", port: 80, targetPort: "http", nodePort: 30080)], type: "NodePort"),
                TestAPIServer.endpointSliceJSON(
                    name: "np-abcde", service: "np", addresses: ["10.244.1.2", "10.244.2.2"], port: 8080,
                    nodeName: "node-a1", zone: "rack-1"),
                TestAPIServer.nodeJSON(name: "node-b2", podCIDR: "10.244.2.0/24", internalIP: "192.168.10.22"),
                #"{"kind":"Service","metadata":{"name":"bad","namespace":"default"},"spec":{"ports":[{"port":"eighty"}]}}"#,
            ])
            let orders = try curl(server, "/api/v1/namespaces/shop/services/orders").json
            #expect((orders["spec"] as? [String: Any])?["sessionAffinity"] as? String == "ClientIP")
            #expect(metadata(orders)["resourceVersion"] as? String != "48213", "the server stamps its own version")
            let slices = try curl(server, "/apis/discovery.k8s.io/v1/endpointslices").json
            #expect(slices["kind"] as? String == "EndpointSliceList")
            #expect(slices["apiVersion"] as? String == "discovery.k8s.io/v1")
            #expect(names(slices["items"]) == ["np-abcde", "orders-8kq2v"])
            #expect(names(try curl(server, "/api/v1/nodes").json["items"]) == ["node-a1", "node-b2"])
            let pod = try curl(server, "/api/v1/namespaces/shop/pods/orders-7d9f8b6c5-x2k4q").json
            #expect(pod["kind"] as? String == "Pod")
            let bad = try curl(server, "/api/v1/namespaces/default/services/bad").json
            let port = ((bad["spec"] as? [String: Any])?["ports"] as? [[String: Any]])?.first
            #expect(port?["port"] as? String == "eighty", "objects are stored without validation")
            let missing = try curl(server, "/api/v1/namespaces/default/services/nope")
            #expect(missing.status == 404 && missing.json["reason"] as? String == "NotFound")
        }
    }

    @Test func writesAKubeconfigForEachKindOfUser() async throws {
        try await withServer { server in
            let path = server.directory + "/kubeconfig"
            try server.writeKubeconfig(to: path, user: .clientCertificate)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.contains("server: \"\(server.url)\""))
            #expect(text.contains("certificate-authority: \"\(server.certificates.caCertificate)\""))
            #expect(text.contains("client-key: \"\(server.certificates.clientKey)\""))
            #expect(text.contains("current-context: test"))
            try server.writeKubeconfig(to: path, user: .tokenFile)
            #expect(try String(contentsOfFile: path, encoding: .utf8).contains("tokenFile: \"\(server.tokenFile)\""))
            try server.writeKubeconfig(to: path, user: .token)
            #expect(try String(contentsOfFile: path, encoding: .utf8).contains("token: \"rudder-test-token\""))
        }
    }

    @Test func plainHTTPWithoutAuthentication() async throws {
        try await withServer(tls: false, tokens: [], clientCertificates: false, stateFile: false) { server in
            #expect(server.url.hasPrefix("http://"))
            let response = try curl(server, "/api/v1/nodes", credentials: Credentials.none)
            #expect(response.status == 200)
            #expect(try server.requests().first?.user == "anonymous")
        }
    }
}
