import Testing

@testable import Kubernetes
@testable import KubernetesModel

@Suite struct InformerStoreTests {
    static func node(_ name: String, _ version: String, cidr: String = "10.244.0.0/24") -> Node {
        Node(metadata: ObjectMeta(name: name, resourceVersion: version), spec: NodeSpec(podCIDR: cidr))
    }

    @Test func firstListAddsEverything() {
        var store = InformerStore<Node>()
        let events = store.replace(with: [Self.node("a", "1"), Self.node("b", "2")])
        #expect(events == [.added(Self.node("a", "1")), .added(Self.node("b", "2"))])
        #expect(store.objects.count == 2)
    }

    @Test func relistEmitsOnlyRealChanges() {
        var store = InformerStore(objects: [Self.node("same", "1"), Self.node("changed", "2"), Self.node("gone", "3")])
        let events = store.replace(with: [
            Self.node("same", "1"), Self.node("changed", "9", cidr: "x"), Self.node("new", "10"),
        ])
        #expect(
            events == [
                .updated(old: Self.node("changed", "2"), new: Self.node("changed", "9", cidr: "x")),
                .added(Self.node("new", "10")),
                .deleted(Self.node("gone", "3")),
            ])
        #expect(Set(store.objects.keys.map(\.name)) == ["same", "changed", "new"])
    }

    @Test func relistKeepsTheLastGoodStateOfARejectedObject() {
        var store = InformerStore(objects: [Self.node("broken", "1"), Self.node("other", "2")])
        let events = store.replace(
            with: [Self.node("other", "2")], rejected: [ObjectKey(namespace: nil, name: "broken")])
        #expect(events.isEmpty)
        #expect(store.objects[ObjectKey(namespace: nil, name: "broken")] == Self.node("broken", "1"))
    }

    @Test func objectsWithoutResourceVersionsCompareByContent() {
        let plain = Node(metadata: ObjectMeta(name: "n"))
        var store = InformerStore(objects: [plain])
        #expect(store.replace(with: [plain]).isEmpty)
        var changed = plain
        changed.spec.unschedulable = true
        #expect(store.replace(with: [changed]) == [.updated(old: plain, new: changed)])
    }

    @Test func watchEvents() {
        var store = InformerStore<Node>()
        #expect(store.apply(.added(Self.node("a", "1"))) == [.added(Self.node("a", "1"))])
        #expect(store.apply(.added(Self.node("a", "1"))).isEmpty, "a duplicate ADDED is not news")
        #expect(
            store.apply(.modified(Self.node("a", "2"))) == [
                .updated(old: Self.node("a", "1"), new: Self.node("a", "2"))
            ])
        #expect(store.apply(.modified(Self.node("b", "3"))) == [.added(Self.node("b", "3"))])
        #expect(store.apply(.deleted(Self.node("a", "4"))) == [.deleted(Self.node("a", "4"))])
        #expect(store.apply(.deleted(Self.node("never", "5"))).isEmpty)
        #expect(store.apply(.bookmark(resourceVersion: "6")).isEmpty)
        #expect(store.apply(.error(KubernetesStatus(code: 410))).isEmpty)
        #expect(Array(store.objects.keys) == [ObjectKey(namespace: nil, name: "b")])
    }

    @Test func rejectedWatchEvents() {
        var store = InformerStore(objects: [Self.node("a", "1"), Self.node("b", "1")])
        let error = KubernetesError.decoding(
            kind: "Node", object: ObjectKey(namespace: nil, name: "a"), path: "spec", problem: "p")
        let modified = RejectedObject(key: ObjectKey(namespace: nil, name: "a"), resourceVersion: "2", error: error)
        #expect(store.apply(.rejected(type: .modified, object: modified)) == [.rejected(error)])
        #expect(store.objects[ObjectKey(namespace: nil, name: "a")] == Self.node("a", "1"), "the last good state stays")
        let deleted = RejectedObject(key: ObjectKey(namespace: nil, name: "b"), resourceVersion: "3", error: error)
        #expect(
            store.apply(.rejected(type: .deleted, object: deleted)) == [
                .rejected(error), .deleted(Self.node("b", "1")),
            ])
        #expect(store.objects[ObjectKey(namespace: nil, name: "b")] == nil)
    }
}
