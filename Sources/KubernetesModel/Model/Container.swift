/// A container of a pod (`spec.containers[]`).
public struct Container: Codable, Sendable, Hashable {
    /// The name, unique within the pod.
    public var name: String
    /// The image.
    public var image: String?
    /// Limits and requests.
    public var resources: ResourceRequirements

    /// A container.
    public init(name: String, image: String? = nil, resources: ResourceRequirements = ResourceRequirements()) {
        self.name = name
        self.image = image
        self.resources = resources
    }

    private enum CodingKeys: String, CodingKey {
        case name, image, resources
    }

    /// Decodes a container; `name` is required.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        image = try container.decodeIfPresent(String.self, forKey: .image)
        resources = try container.decodeIfPresent(ResourceRequirements.self, forKey: .resources) ?? .init()
    }
}
