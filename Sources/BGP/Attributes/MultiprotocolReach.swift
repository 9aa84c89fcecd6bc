/// The MP_REACH_NLRI attribute (RFC 4760 §3): routes of one AFI/SAFI with their next hop.
public struct MultiprotocolReach: Hashable, Sendable {
    /// The address family of the routes.
    public var family: AFISAFI
    /// Their next hop.
    public var nextHop: MultiprotocolNextHop
    /// The announced prefixes.
    public var prefixes: [BGPPrefix]

    /// An MP_REACH_NLRI from its parts.
    public init(family: AFISAFI, nextHop: MultiprotocolNextHop, prefixes: [BGPPrefix]) {
        self.family = family
        self.nextHop = nextHop
        self.prefixes = prefixes
    }

    /// Writes the attribute value.
    func write(into writer: inout ByteWriter) {
        writer.writeUInt16(family.afi.rawValue)
        writer.writeUInt8(family.safi.rawValue)
        let nextHopBytes = nextHop.bytes
        writer.writeUInt8(UInt8(truncatingIfNeeded: nextHopBytes.count))
        writer.write(nextHopBytes)
        writer.writeUInt8(0)
        for prefix in prefixes { prefix.writeNLRI(into: &writer) }
    }
}
