import Foundation
import Kubernetes
import KubernetesModel
import RudderLab
import Testing

/// Informers against the test API server: pagination, live events, bookmarks, 410, restarts, outages, bad objects.
@Suite(.serialized) struct InformerIntegrationTests {
    static func service(_ name: String, ip: Int, port: Int = 80, namespace: String = "default") -> String {
        TestAPIServer.serviceJSON(
            namespace: namespace, name: name, clusterIP: "10.96.0.\(ip)",
            ports: [TestAPIServer.ServicePort(port: port, targetPort: "8080")])
    }

    static func informer(
        _ harness: APIServerHarness, pageSize: Int = 500, backoff: Backoff = APIServerHarness.fastBackoff
    ) throws -> Informer<Service> {
        Informer<Service>(
            client: try harness.client(), pageSize: pageSize, backoff: backoff, logger: APIServerHarness.logger)
    }

    static func names(_ events: [InformerEvent<Service>]) -> [String] {
        events.map(EventRecorder<Service>.summary)
    }

    @Test func listsInPagesThenWatches() async throws {
        let harness = try APIServerHarness()
        try harness.server.load((1...7).map { Self.service("svc-\($0)", ip: $0) })
        let informer = try Self.informer(harness, pageSize: 3)
        let recorder = EventRecorder(informer)
        try await recorder.waitForSync()
        #expect(Self.names(recorder.all) == (1...7).map { "added default/svc-\($0)" } + ["synced"])
        #expect(informer.hasSynced)
        #expect(informer.cached().count == 7)

        let lists = try harness.server.requests().filter { $0.path == "/api/v1/services" && $0.query["watch"] == nil }
        #expect(lists.map { $0.query["limit"] } == ["3", "3", "3"])
        #expect(lists.map { $0.query["continue"] == nil } == [true, false, false])

        try harness.server.waitForWatchers(1)
        let watch = try #require(try harness.server.requests().last { $0.query["watch"] == "true" })
        #expect(watch.query["resourceVersion"] == informer.resourceVersion)
        #expect(watch.query["allowWatchBookmarks"] == "true")
        let timeout = try #require(watch.query["timeoutSeconds"].flatMap { Int($0) })
        #expect((300...600).contains(timeout))

        recorder.clear()
        try harness.server.put(Self.service("svc-8", ip: 8))
        try harness.server.put(Self.service("svc-2", ip: 2, port: 8443))
        try harness.server.delete(kind: "Service", name: "svc-3")
        try await recorder.wait(for: "three live events") { $0.count >= 3 }
        #expect(Self.names(recorder.all) == ["added default/svc-8", "updated default/svc-2", "deleted default/svc-3"])
        guard case .updated(let old, let new) = recorder.all[1] else { return }
        #expect(old.spec.ports.first?.port == 80 && new.spec.ports.first?.port == 8443)
        #expect(informer.cached(namespace: "default", name: "svc-2")?.spec.ports.first?.port == 8443)
        #expect(informer.cached(namespace: "default", name: "svc-3") == nil)
        #expect(informer.resourceVersion == String(try harness.server.resourceVersion()))
    }

    @Test func bookmarksAdvanceTheResourceVersion() async throws {
        let harness = try APIServerHarness(bookmarkInterval: 0.2)
        let informer = Informer<Node>(
            client: try harness.client(), backoff: APIServerHarness.fastBackoff, logger: APIServerHarness.logger)
        let recorder = EventRecorder(informer)
        try await recorder.waitForSync()
        let listed = try #require(informer.resourceVersion.flatMap { Int($0) })
        // Changes to another kind move the server's resource version; the node watch hears of it only by bookmark.
        try harness.server.load((1...5).map { Self.service("s\($0)", ip: $0) })
        let target = try harness.server.resourceVersion()
        #expect(target > listed)
        try await Polling.until("a bookmark to carry resourceVersion \(target)") {
            informer.resourceVersion.flatMap { Int($0) } == target
        }
        #expect(recorder.all == [.synced], "bookmarks are not events")
    }

    @Test func expiredResourceVersionRelistsAndEmitsOnlyRealChanges() async throws {
        let harness = try APIServerHarness()
        try harness.server.load(["a", "b", "c"].enumerated().map { Self.service($1, ip: $0 + 1) })
        let informer = try Self.informer(harness)
        let recorder = EventRecorder(informer)
        try await recorder.waitForSync()
        try harness.server.waitForWatchers(1)

        // Nothing changed: compaction plus a broken watch gives a 410 and a re-list that emits only `.synced`.
        recorder.clear()
        try harness.server.compact()
        try harness.server.dropWatches()
        try await recorder.waitForSync()
        #expect(recorder.all == [.synced])

        // Changes made while the informer is not watching, then compaction: the re-list must report exactly them.
        try harness.server.waitForWatchers(1)
        recorder.clear()
        try harness.server.clearRequests()
        try harness.server.delay(seconds: 1.5, count: 1, path: "services?watch=true")
        try harness.server.dropWatches()
        try harness.server.put(Self.service("b", ip: 2, port: 8080))
        try harness.server.delete(kind: "Service", name: "c")
        try harness.server.put(Self.service("d", ip: 4))
        try harness.server.compact()
        try await recorder.waitForSync()
        #expect(Self.names(recorder.all) == ["updated default/b", "added default/d", "deleted default/c", "synced"])
        #expect(Set(informer.cached().map(\.metadata.name)) == ["a", "b", "d"])
        let requests = try harness.server.requests().filter { $0.path == "/api/v1/services" }
        #expect(requests.first?.query["watch"] == "true", "first the delayed watch, which gets 410")
        #expect(requests.contains { $0.query["watch"] == nil }, "then a LIST")
    }

    @Test func aRestartedServerIsWatchedAgainFromTheLastResourceVersion() async throws {
        let harness = try APIServerHarness()
        try harness.server.load([Self.service("a", ip: 1), Self.service("b", ip: 2)])
        let informer = try Self.informer(harness)
        let recorder = EventRecorder(informer)
        try await recorder.waitForSync()
        try harness.server.waitForWatchers(1)
        let before = try #require(informer.resourceVersion)

        harness.server.kill()
        try await Task.sleep(for: .seconds(2))
        try harness.server.restart()
        try harness.server.clearRequests()
        recorder.clear()
        try harness.server.put(Self.service("c", ip: 3))
        try await recorder.wait(for: "the Service added after the restart") { !$0.isEmpty }
        #expect(Self.names(recorder.all) == ["added default/c"])

        let requests = try harness.server.requests().filter { $0.path == "/api/v1/services" }
        #expect(!requests.isEmpty)
        #expect(requests.allSatisfy { $0.query["watch"] == "true" }, "no LIST after the restart: \(requests)")
        #expect(requests.first?.query["resourceVersion"] == before)
    }

    @Test func anUnavailableServerIsRetriedWithBackoffNotInABusyLoop() async throws {
        let harness = try APIServerHarness()
        try harness.server.put(Self.service("a", ip: 1))
        let backoff = Backoff(
            initial: .milliseconds(50), maximum: .milliseconds(400), jitter: 0.2, resetAfter: .seconds(5))
        let informer = try Self.informer(harness, backoff: backoff)
        let recorder = EventRecorder(informer)
        try await recorder.waitForSync()
        try harness.server.waitForWatchers(1)

        try harness.server.fail(status: 503, count: 100_000, path: "services?watch=true")
        try harness.server.clearRequests()
        try harness.server.dropWatches()
        try await Task.sleep(for: .seconds(3))
        let attempts = try harness.server.requests().filter { $0.path == "/api/v1/services" }
        // Backoff of 50, 100, 200, then 400 ms (±20 %) allows about ten attempts in three seconds; a busy loop would
        // make thousands. Bounds are loose: this is about the shape, not the timing.
        print("503 outage: \(attempts.count) watch attempts in 3 s")
        #expect(attempts.count >= 3 && attempts.count <= 25, "\(attempts.count) attempts")
        #expect(attempts.allSatisfy { $0.status == 503 && $0.query["watch"] == "true" }, "no re-list on 503")

        try harness.server.clearFaults()
        try await Polling.until("the informer to watch again") { try harness.server.watchers() == 1 }
        recorder.clear()
        try harness.server.put(Self.service("b", ip: 2))
        try await recorder.wait(for: "the Service added after the outage") { !$0.isEmpty }
        #expect(Self.names(recorder.all) == ["added default/b"])
    }

    @Test func aMalformedServiceIsRejectedAndTheOthersAreAdded() async throws {
        let harness = try APIServerHarness()
        let bad = Self.service("bad", ip: 66).replacingOccurrences(of: #""port":80"#, with: #""port":"eighty""#)
        #expect(bad.contains(#""port":"eighty""#))
        try harness.server.load([Self.service("good-1", ip: 1), bad, Self.service("good-2", ip: 2)])
        let informer = try Self.informer(harness)
        let recorder = EventRecorder(informer)
        try await recorder.waitForSync()
        #expect(
            Self.names(recorder.all) == [
                "added default/good-1", "added default/good-2",
                "rejected Service default/bad: spec.ports[0].port: expected a number, found a string", "synced",
            ])
        #expect(informer.cached().count == 2)

        // A good Service turned bad by a watch event: rejected, and its last good state stays.
        try harness.server.waitForWatchers(1)
        recorder.clear()
        let broken = Self.service("good-1", ip: 1).replacingOccurrences(
            of: #""clusterIPs":["10.96.0.1"]"#, with: #""clusterIPs":"10.96.0.1""#)
        try harness.server.put(broken)
        try harness.server.put(Self.service("good-3", ip: 3))
        try await recorder.wait(for: "two events") { $0.count >= 2 }
        #expect(
            Self.names(recorder.all) == [
                "rejected Service default/good-1: spec.clusterIPs: expected a list, found a string",
                "added default/good-3",
            ])
        #expect(informer.cached(namespace: "default", name: "good-1")?.spec.clusterIPs == ["10.96.0.1"])
    }

    @Test func endingTheConsumersTaskStopsTheWatch() async throws {
        let harness = try APIServerHarness()
        let informer = try Self.informer(harness)
        let recorder = EventRecorder(informer)
        try await recorder.waitForSync()
        try harness.server.waitForWatchers(1)
        recorder.stop()
        try await Polling.until("the watch to end", timeout: .seconds(5)) { try harness.server.watchers() == 0 }
        try harness.server.clearRequests()
        try await Task.sleep(for: .milliseconds(500))
        #expect(try harness.server.requests().isEmpty, "nothing runs any more")
    }

    @Test func aLateSubscriberGetsTheCacheFirst() async throws {
        let harness = try APIServerHarness()
        try harness.server.load([Self.service("a", ip: 1), Self.service("b", ip: 2)])
        let informer = try Self.informer(harness)
        let first = EventRecorder(informer)
        try await first.waitForSync()
        let second = EventRecorder(informer)
        try await second.waitForSync()
        #expect(Self.names(second.all) == ["added default/a", "added default/b", "synced"])
        try harness.server.put(Self.service("c", ip: 3))
        try await second.wait(for: "the live event") { $0.count == 4 }
        try await first.wait(for: "the live event") { $0.count == 4 }
        let lists = try harness.server.requests().filter { $0.path == "/api/v1/services" && $0.query["watch"] == nil }
        #expect(lists.count == 1, "one loop serves both")
    }

    @Test func fourInformersRunTogether() async throws {
        let harness = try APIServerHarness()
        try harness.server.load([
            Self.service("web", ip: 1),
            TestAPIServer.endpointSliceJSON(
                name: "web-x1", service: "web", addresses: ["10.244.1.5", "10.244.2.7"], port: 8080, nodeName: "w1"),
            TestAPIServer.nodeJSON(name: "w1", podCIDR: "10.244.1.0/24", internalIP: "192.0.2.1"),
            TestAPIServer.nodeJSON(name: "w2", podCIDR: "10.244.2.0/24", internalIP: "192.0.2.2"),
            TestAPIServer.podJSON(name: "web-0", nodeName: "w1", podIP: "10.244.1.5"),
            TestAPIServer.podJSON(name: "web-1", nodeName: "w2", podIP: "10.244.2.7"),
        ])
        let client = try harness.client()
        let backoff = APIServerHarness.fastBackoff
        let logger = APIServerHarness.logger
        let services = EventRecorder(Informer<Service>(client: client, backoff: backoff, logger: logger))
        let slices = EventRecorder(Informer<EndpointSlice>(client: client, backoff: backoff, logger: logger))
        let nodes = EventRecorder(Informer<Node>(client: client, backoff: backoff, logger: logger))
        let pods = EventRecorder(
            Informer<Pod>(client: client, fieldSelector: "spec.nodeName=w1", backoff: backoff, logger: logger))
        try await services.waitForSync()
        try await slices.waitForSync()
        try await nodes.waitForSync()
        try await pods.waitForSync()
        try harness.server.waitForWatchers(4)
        #expect(services.all.count == 2 && slices.all.count == 2 && nodes.all.count == 3)
        #expect(EventRecorder<Pod>.summary(pods.all[0]) == "added default/web-0" && pods.all.count == 2)
        guard case .added(let slice) = slices.all[0] else { return }
        #expect(slice.serviceName == "web" && slice.endpoints.map(\.addresses) == [["10.244.1.5"], ["10.244.2.7"]])

        try harness.server.put(TestAPIServer.podJSON(name: "web-2", nodeName: "w1", podIP: "10.244.1.9"))
        try harness.server.put(TestAPIServer.podJSON(name: "other", nodeName: "w2", podIP: "10.244.2.9"))
        try await pods.wait(for: "this node's new pod") { $0.count == 3 }
        try await Task.sleep(for: .milliseconds(300))
        #expect(pods.all.count == 3, "the field selector keeps other nodes' pods out")
        for recorder in [services.stop, slices.stop, nodes.stop, pods.stop] { recorder() }
        try await Polling.until("all watches to end", timeout: .seconds(5)) { try harness.server.watchers() == 0 }
    }
}
