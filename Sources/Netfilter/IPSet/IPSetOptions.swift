/// Creation options of a hash set; entries never time out.
public struct IPSetOptions: Sendable, Hashable {
    /// The initial hash size; the kernel rounds it up to a power of two and grows it as needed.
    public var hashSize: UInt32
    /// The most entries the set may hold.
    public var maxElements: UInt32

    /// ipset's own defaults: hashsize 1024, maxelem 65536.
    public init(hashSize: UInt32 = 1024, maxElements: UInt32 = 65536) {
        self.hashSize = hashSize
        self.maxElements = maxElements
    }
}
