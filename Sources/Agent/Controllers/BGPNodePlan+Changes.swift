import BGP

extension BGPNodePlan {
    /// What the speaker must do to go from one plan to the next. Pure value.
    public struct Changes: Equatable, Sendable {
        /// Peers to remove: gone, or changed (a changed peer is removed, then added as it is now).
        public var removedPeers: [BGPAddress] = []
        /// Peers to add: new, or changed.
        public var addedPeers: [BGPSpeakerPeer] = []
        /// Originated prefixes to withdraw.
        public var withdrawn: [BGPPrefix] = []
        /// Originated prefixes to announce, new or with new attributes.
        public var announced: [BGPPrefix: PathAttributes] = [:]
        /// Problems the new plan has that the old one did not.
        public var newProblems: [String] = []
        /// Whether the router ID or the AS changed, which a running speaker cannot take.
        public var identityChanged = false

        /// Whether the speaker has nothing to do.
        public var isEmpty: Bool {
            removedPeers.isEmpty && addedPeers.isEmpty && withdrawn.isEmpty && announced.isEmpty
        }
    }

    /// The changes from `old` to `new`, split by concern: sessions, originated routes, problems.
    public static func changes(from old: BGPNodePlan, to new: BGPNodePlan) -> Changes {
        var changes = Changes()
        changes.identityChanged = new.routerID != old.routerID || new.localAS != old.localAS
        for address in new.peers.keys.sorted() where old.peers[address] != new.peers[address] {
            if old.peers[address] != nil { changes.removedPeers.append(address) }
            changes.addedPeers.append(new.peers[address]!)
        }
        for address in old.peers.keys.sorted() where new.peers[address] == nil {
            changes.removedPeers.append(address)
        }
        changes.withdrawn = old.originated.keys.filter { new.originated[$0] == nil }.sorted()
        changes.announced = new.originated.filter { old.originated[$0.key] != $0.value }
        changes.newProblems = new.problems.filter { !old.problems.contains($0) }
        return changes
    }
}
