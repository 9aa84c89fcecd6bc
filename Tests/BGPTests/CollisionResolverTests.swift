import Testing

@testable import BGP

/// Connection collisions (RFC 4271 §6.8, RFC 6286 §2.3).
@Suite struct CollisionResolverTests {
    typealias C = BGPCollisionResolver.Connection

    /// existing, new, local ID, local AS, remote ID, remote AS, graceful restart, verdict, why.
    static let cases: [(C, C, UInt32, UInt32, UInt32, UInt32, Bool, BGPCollisionResolver.Resolution, String)] = [
        (
            C(direction: .outgoing, state: .openConfirm), C(direction: .incoming, state: .openConfirm), 2, 65000, 1,
            65001, false, .closeNew, "higher local ID keeps our outgoing connection"
        ),
        (
            C(direction: .outgoing, state: .openConfirm), C(direction: .incoming, state: .openConfirm), 1, 65000, 2,
            65001, false, .closeExisting, "lower local ID keeps the peer's connection"
        ),
        (
            C(direction: .incoming, state: .openConfirm), C(direction: .outgoing, state: .openSent), 1, 65000, 2,
            65001, false, .closeNew, "the peer's connection stays whichever came first"
        ),
        (
            C(direction: .outgoing, state: .openConfirm), C(direction: .incoming, state: .openConfirm), 5, 65002, 5,
            65001, false, .closeNew, "equal IDs: the higher AS (ours) keeps its outgoing connection"
        ),
        (
            C(direction: .outgoing, state: .openConfirm), C(direction: .incoming, state: .openConfirm), 5, 65001, 5,
            65002, false, .closeExisting, "equal IDs: the higher AS (the peer's) keeps its connection"
        ),
        (
            C(direction: .incoming, state: .established), C(direction: .outgoing, state: .openConfirm), 9, 65000, 1,
            65001, false, .closeNew, "an Established connection stays"
        ),
        (
            C(direction: .outgoing, state: .established), C(direction: .incoming, state: .openConfirm), 9, 65000, 1,
            65001, true, .closeExisting, "a graceful restart peer reconnecting replaces the old session"
        ),
        (
            C(direction: .outgoing, state: .openSent), C(direction: .incoming, state: .openSent), 1, 65000, 2, 65001,
            false, .keepBoth, "no OpenConfirm yet: nothing to compare"
        ),
        (
            C(direction: .incoming, state: .openConfirm), C(direction: .incoming, state: .openSent), 1, 65000, 2,
            65001, false, .closeExisting, "a second incoming connection replaces the first"
        ),
    ]

    @Test(arguments: 0..<cases.count) func resolves(_ index: Int) {
        let (existing, new, localID, localAS, remoteID, remoteAS, restart, expected, why) = Self.cases[index]
        let verdict = BGPCollisionResolver.resolve(
            existing: existing, new: new, localIdentifier: localID, localAS: localAS, remoteIdentifier: remoteID,
            remoteAS: remoteAS, peerGracefulRestart: restart)
        #expect(verdict == expected, "\(why)")
    }

    @Test func bothSidesAgreeOnTheSurvivor() {
        // What each speaker decides about the same pair of connections must keep the same one.
        for (ourID, theirID, ourAS, theirAS) in [(1, 2, 65000, 65001), (2, 1, 65000, 65001), (7, 7, 65000, 65001)] {
            let ours = BGPCollisionResolver.resolve(
                existing: C(direction: .outgoing, state: .openConfirm),
                new: C(direction: .incoming, state: .openConfirm),
                localIdentifier: UInt32(ourID), localAS: UInt32(ourAS), remoteIdentifier: UInt32(theirID),
                remoteAS: UInt32(theirAS))
            let theirs = BGPCollisionResolver.resolve(
                existing: C(direction: .incoming, state: .openConfirm),
                new: C(direction: .outgoing, state: .openConfirm),
                localIdentifier: UInt32(theirID), localAS: UInt32(theirAS), remoteIdentifier: UInt32(ourID),
                remoteAS: UInt32(ourAS))
            // Our outgoing connection is their incoming one: we keep it exactly when they keep it.
            #expect((ours == .closeNew) == (theirs == .closeNew), "IDs \(ourID) and \(theirID)")
        }
    }
}
