import Foundation

/// The `metadata` of an object: the fields the agent reads, unknown ones are ignored.
///
/// `name` is required (every stored object has one); the rest is optional or defaults to empty, as the API server
/// omits empty maps and lists.
public struct ObjectMeta: Codable, Sendable, Hashable {
    /// The name.
    public var name: String
    /// The namespace; nil for cluster-scoped objects.
    public var namespace: String?
    /// The UID.
    public var uid: String?
    /// The version of this object as the API server stores it; opaque, compared only for equality.
    public var resourceVersion: String?
    /// The generation of the desired state.
    public var generation: Int64?
    /// Labels.
    public var labels: [String: String]
    /// Annotations (where `kube-router.io/*` and `rudder.io/*` settings live).
    public var annotations: [String: String]
    /// When deletion was requested, for an object held back by finalizers.
    public var deletionTimestamp: Date?
    /// The objects that own this one.
    public var ownerReferences: [OwnerReference]

    /// Metadata.
    public init(
        name: String, namespace: String? = nil, uid: String? = nil, resourceVersion: String? = nil,
        generation: Int64? = nil, labels: [String: String] = [:], annotations: [String: String] = [:],
        deletionTimestamp: Date? = nil, ownerReferences: [OwnerReference] = []
    ) {
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.generation = generation
        self.labels = labels
        self.annotations = annotations
        self.deletionTimestamp = deletionTimestamp
        self.ownerReferences = ownerReferences
    }

    /// The object's key.
    public var key: ObjectKey {
        ObjectKey(namespace: namespace, name: name)
    }

    private enum CodingKeys: String, CodingKey {
        case name, namespace, uid, resourceVersion, generation, labels, annotations, deletionTimestamp
        case ownerReferences
    }

    /// Decodes metadata; `deletionTimestamp` is an RFC 3339 string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        namespace = try container.decodeIfPresent(String.self, forKey: .namespace)
        uid = try container.decodeIfPresent(String.self, forKey: .uid)
        resourceVersion = try container.decodeIfPresent(String.self, forKey: .resourceVersion)
        generation = try container.decodeIfPresent(Int64.self, forKey: .generation)
        labels = try container.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
        annotations = try container.decodeIfPresent([String: String].self, forKey: .annotations) ?? [:]
        if let text = try container.decodeIfPresent(String.self, forKey: .deletionTimestamp) {
            guard let date = try? Date(text, strategy: .iso8601) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .deletionTimestamp, in: container,
                    debugDescription: "expected an RFC 3339 time, found \"\(text)\"")
            }
            deletionTimestamp = date
        } else {
            deletionTimestamp = nil
        }
        ownerReferences = try container.decodeIfPresent([OwnerReference].self, forKey: .ownerReferences) ?? []
    }

    /// Encodes metadata the way the API server does (empty maps and lists left out).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encodeIfPresent(namespace, forKey: .namespace)
        try container.encodeIfPresent(uid, forKey: .uid)
        try container.encodeIfPresent(resourceVersion, forKey: .resourceVersion)
        try container.encodeIfPresent(generation, forKey: .generation)
        if !labels.isEmpty { try container.encode(labels, forKey: .labels) }
        if !annotations.isEmpty { try container.encode(annotations, forKey: .annotations) }
        if let deletionTimestamp {
            try container.encode(deletionTimestamp.formatted(.iso8601), forKey: .deletionTimestamp)
        }
        if !ownerReferences.isEmpty { try container.encode(ownerReferences, forKey: .ownerReferences) }
    }
}
