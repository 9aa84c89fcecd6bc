/// The MP_UNREACH_NLRI attribute (RFC 4760 §4): withdrawn routes of one AFI/SAFI. With no prefixes
/// it is that family's End-of-RIB marker (RFC 4724 §2), which is kept for any AFI/SAFI.
public struct MultiprotocolUnreach: Hashable, Sendable {
    /// The address family of the routes.
    public var family: AFISAFI
    /// The withdrawn prefixes.
    public var prefixes: [BGPPrefix]

    /// An MP_UNREACH_NLRI from its parts.
    public init(family: AFISAFI, prefixes: [BGPPrefix]) {
        self.family = family
        self.prefixes = prefixes
    }

    /// Writes the attribute value.
    func write(into writer: inout ByteWriter) {
        writer.writeUInt16(family.afi.rawValue)
        writer.writeUInt8(family.safi.rawValue)
        for prefix in prefixes { prefix.writeNLRI(into: &writer) }
    }
}
