/// A taint on a Node (`spec.taints[]`).
public struct Taint: Codable, Sendable, Hashable {
    /// The key.
    public var key: String
    /// The value.
    public var value: String?
    /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`; kept as text so a new effect does not reject the Node.
    public var effect: String

    /// A taint.
    public init(key: String, value: String? = nil, effect: String) {
        self.key = key
        self.value = value
        self.effect = effect
    }
}
