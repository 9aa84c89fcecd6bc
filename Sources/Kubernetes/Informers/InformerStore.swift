import KubernetesModel

/// An informer's cache and the rules that turn a LIST or a watch event into the events a consumer sees. Pure.
///
/// The rules, which the informer relies on and the tests check:
/// - A re-list emits `.added` for objects the cache does not have, `.updated` for objects whose resource version
///   changed, `.deleted` for cached objects the list does not have, and nothing for unchanged objects. An object
///   the list has but could not decode is not "gone": its cached state is kept, not deleted.
/// - A watch ADDED or MODIFIED becomes `.added` when the object is new to the cache and `.updated` when it is not;
///   one carrying the resource version already cached is a duplicate and emits nothing. DELETED emits `.deleted`
///   only for an object the cache has.
/// - A watch event whose object did not decode emits `.rejected`; when it is a DELETED whose name could be read,
///   the cached object is removed as well (deleting needs only the name).
public struct InformerStore<R: KubernetesResource>: Sendable {
    /// The objects by namespace and name.
    public private(set) var objects: [ObjectKey: R]

    /// A store holding `objects`.
    public init(objects: [R] = []) {
        self.objects = Dictionary(objects.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// Replaces the contents with a complete LIST and returns the changes.
    ///
    /// `rejected` are the keys of listed objects that did not decode: cached versions of those are kept.
    public mutating func replace(with items: [R], rejected: Set<ObjectKey> = []) -> [InformerEvent<R>] {
        var events: [InformerEvent<R>] = []
        var next: [ObjectKey: R] = [:]
        next.reserveCapacity(items.count + rejected.count)
        for item in items {
            let key = item.key
            next[key] = item
            if let old = objects[key] {
                if !Self.isSameVersion(old, item) { events.append(.updated(old: old, new: item)) }
            } else {
                events.append(.added(item))
            }
        }
        for key in rejected where next[key] == nil {
            if let old = objects[key] { next[key] = old }
        }
        for key in objects.keys.sorted() where next[key] == nil {
            if let old = objects[key] { events.append(.deleted(old)) }
        }
        objects = next
        return events
    }

    /// Applies one watch event and returns the changes (none for bookmarks and errors, which are the informer's
    /// business).
    public mutating func apply(_ event: WatchEvent<R>) -> [InformerEvent<R>] {
        switch event {
        case .added(let object), .modified(let object):
            let key = object.key
            let old = objects.updateValue(object, forKey: key)
            guard let old else { return [.added(object)] }
            return Self.isSameVersion(old, object) ? [] : [.updated(old: old, new: object)]
        case .deleted(let object):
            guard objects.removeValue(forKey: object.key) != nil else { return [] }
            return [.deleted(object)]
        case .rejected(let type, let rejection):
            var events: [InformerEvent<R>] = [.rejected(rejection.error)]
            if type == .deleted, let key = rejection.key, let old = objects.removeValue(forKey: key) {
                events.append(.deleted(old))
            }
            return events
        case .bookmark, .error:
            return []
        }
    }

    /// The same stored version: equal resource versions, or (for objects built without one) equal contents.
    private static func isSameVersion(_ old: R, _ new: R) -> Bool {
        if let oldVersion = old.metadata.resourceVersion, let newVersion = new.metadata.resourceVersion {
            return oldVersion == newVersion
        }
        return old == new
    }
}
