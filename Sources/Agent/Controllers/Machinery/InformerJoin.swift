/// Two informers' objects joined by a key, as client-go's indexer joins them: parents by their
/// key, children grouped under the parent key they name (EndpointSlices under their Service's
/// name). Each change says which parent keys it affected, so only those are looked at again.
struct InformerJoin<Key: Hashable & Comparable & Sendable, Parent: Sendable, Child: Sendable>: Sendable {
    private var parents: [Key: Parent] = [:]
    private var children: [Key: [String: Child]] = [:]
    private let parentKey: @Sendable (Child) -> Key?
    private let childName: @Sendable (Child) -> String

    /// A join where `parentKey` names a child's parent (nil: none) and `childName` identifies it.
    init(parentKey: @escaping @Sendable (Child) -> Key?, childName: @escaping @Sendable (Child) -> String) {
        self.parentKey = parentKey
        self.childName = childName
    }

    /// Records a parent as it is now (nil: deleted) and returns its key.
    mutating func set(parent: Parent?, key: Key) -> Key {
        parents[key] = parent
        return key
    }

    /// Records a child as it is now (nil: deleted); returns the parents it left and joined.
    mutating func set(child: Child?, previous: Child?) -> [Key] {
        var affected: [Key] = []
        if let previous, let owner = parentKey(previous) {
            children[owner]?[childName(previous)] = nil
            if children[owner]?.isEmpty == true { children[owner] = nil }
            affected.append(owner)
        }
        if let child, let owner = parentKey(child) {
            children[owner, default: [:]][childName(child)] = child
            if !affected.contains(owner) { affected.append(owner) }
        }
        return affected
    }

    /// A parent by key.
    func parent(_ key: Key) -> Parent? { parents[key] }

    /// A parent's children, ordered by name.
    func children(of key: Key) -> [Child] {
        (children[key] ?? [:]).sorted { $0.key < $1.key }.map(\.value)
    }

    /// Whether any child names `key` as its parent.
    func hasChildren(_ key: Key) -> Bool { children[key] != nil }

    /// Every parent key.
    var parentKeys: Dictionary<Key, Parent>.Keys { parents.keys }

    /// Keys that children name but no parent has, in order.
    var orphanKeys: [Key] { children.keys.filter { parents[$0] == nil }.sorted() }

    /// How many parents and children are known.
    var counts: (parents: Int, children: Int) {
        (parents.count, children.values.reduce(0) { $0 + $1.count })
    }
}
