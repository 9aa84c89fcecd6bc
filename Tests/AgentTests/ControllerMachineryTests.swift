import Testing

@testable import Agent

/// The agent's reusable controller parts: the per-key queue, the sync gate, the informer join.
@Suite struct ControllerMachineryTests {
    @Test func aKeyAddedTwiceKeepsItsNewestValueAndARetryNeverOvertakesNewerWork() {
        var queue = CoalescingQueue<String, Int>()
        queue.add("b", 1)
        queue.add("a", 1)
        queue.add("b", 2)
        #expect(queue.count == 2)
        let batch = queue.drain()
        #expect(batch.map(\.key) == ["a", "b"] && batch.map(\.value) == [1, 2])
        #expect(queue.isEmpty)
        queue.add("b", 3)
        queue.retry("b", 2)
        queue.retry("c", 1)
        #expect(queue.drain().map { "\($0.key)\($0.value)" } == ["b3", "c1"])
    }

    @Test func theGateOpensOnceWhenTheLastSourceHasListed() {
        var gate = SyncGate<String>(waitingFor: ["services", "slices"])
        gate.listed("services")
        #expect(gate.advance() == .waiting)
        gate.listed("services")
        #expect(gate.advance() == .waiting)
        gate.listed("slices")
        #expect(gate.advance() == .opened)
        #expect(gate.advance() == .open)
        gate.listed("slices")
        #expect(gate.advance() == .open)
    }

    @Test func theJoinNamesTheParentsAChildLeftAndJoined() {
        struct Child {
            var name: String
            var parent: String?
        }
        var join = InformerJoin<String, Int, Child>(parentKey: { $0.parent }, childName: { $0.name })
        #expect(join.set(parent: 1, key: "web") == "web")
        #expect(join.set(child: Child(name: "s1", parent: "web"), previous: nil) == ["web"])
        #expect(join.set(child: Child(name: "s2", parent: "ghost"), previous: nil) == ["ghost"])
        #expect(join.orphanKeys == ["ghost"])
        // A child that moves names both parents; one without a parent is not kept.
        let moved = join.set(child: Child(name: "s1", parent: "api"), previous: Child(name: "s1", parent: "web"))
        #expect(moved == ["web", "api"])
        #expect(join.children(of: "web").isEmpty && join.children(of: "api").map(\.name) == ["s1"])
        #expect(join.set(child: Child(name: "s3", parent: nil), previous: nil).isEmpty)
        #expect(join.counts.parents == 1 && join.counts.children == 2)
    }

    @Test func aSignalWakesEverySubscriberOnceForABurst() async {
        let signal = ChangeSignal()
        let first = signal.changes()
        let second = signal.changes()
        signal.signal()
        signal.signal()
        signal.signal()
        var iterator = first.makeAsyncIterator()
        var other = second.makeAsyncIterator()
        #expect(await iterator.next() != nil)
        #expect(await other.next() != nil)
        // The burst was one wake-up: the next one comes only with the next change.
        signal.signal()
        #expect(await iterator.next() != nil)
    }
}
