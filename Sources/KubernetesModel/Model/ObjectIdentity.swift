/// Just enough of any object to name it: decoded when the full object does not decode, and for bookmarks.
///
/// Every field is optional so that this never fails on an object that is at least a JSON object.
struct ObjectIdentity: Decodable {
    var name: String?
    var namespace: String?
    var resourceVersion: String?

    private enum CodingKeys: String, CodingKey {
        case metadata
    }

    private enum MetadataKeys: String, CodingKey {
        case name, namespace, resourceVersion
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let metadata = try? container.nestedContainer(keyedBy: MetadataKeys.self, forKey: .metadata) else {
            return
        }
        name = try? metadata.decodeIfPresent(String.self, forKey: .name)
        namespace = try? metadata.decodeIfPresent(String.self, forKey: .namespace)
        resourceVersion = try? metadata.decodeIfPresent(String.self, forKey: .resourceVersion)
    }

    /// The object's key, when it has a name.
    var key: ObjectKey? {
        name.map { ObjectKey(namespace: namespace, name: $0) }
    }
}
