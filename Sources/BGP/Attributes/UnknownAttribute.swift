/// An optional transitive path attribute this codec does not know, kept to be passed on (RFC 4271 §5).
public struct UnknownAttribute: Hashable, Sendable {
    /// The attribute flags, with Partial set (whoever gets it next must know that a speaker on the
    /// way did not understand it) and Extended Length cleared (the encoder chooses it).
    public var flags: UInt8
    /// The attribute type code.
    public var typeCode: UInt8
    /// The attribute value.
    public var value: [UInt8]

    /// An unknown attribute as it will be re-sent.
    public init(flags: UInt8, typeCode: UInt8, value: [UInt8]) {
        self.flags = (flags | PathAttributeType.Flags.partial) & ~PathAttributeType.Flags.extendedLength
        self.typeCode = typeCode
        self.value = value
    }
}
