/// One path attribute type's entry in the codec's table, as an entry of BIRD's `bgp_attr_table`:
/// the flags its specification gives it, what RFC 7606 does with a malformed value, how a value
/// is read and how one is written. `PathAttributeType.codec` is an exhaustive switch, so a new
/// type does not compile without all four.
struct PathAttributeCodec {
    /// What a malformed value calls for (RFC 7606 §7).
    enum Malformed {
        /// The UPDATE's routes are withdrawn.
        case treatAsWithdraw
        /// The attribute is dropped; the routes stand.
        case attributeDiscard
        /// The session is reset: the attribute carries prefixes that can no longer be known.
        case sessionReset(BGPNotification.UpdateSubcode)
    }

    /// What reading one value found.
    enum Reading {
        /// The value is taken.
        case read
        /// The value is malformed: the entry's `malformed` approach applies.
        case malformed(String)
        /// The value is well formed but not for this session (from an external peer, of a family
        /// not read, from a 4-octet speaker): the attribute is discarded.
        case unwanted(String)
        /// The value is taken, but its routes cannot be used: they are withdrawn.
        case unusable(String)
    }

    /// The Optional and Transitive bits (RFC 4271 §4.3).
    let flags: UInt8
    /// What a malformed value calls for.
    let malformed: Malformed
    /// Whether the attribute carries prefixes (MP_REACH_NLRI, MP_UNREACH_NLRI): it is still read
    /// after a flag conflict so they can be withdrawn, is written before the others (RFC 7606
    /// §5.1), and a second copy resets the session (RFC 7606 §3 g).
    let carriesPrefixes: Bool
    /// Reads a value into the decoder.
    let decode: (_ value: ArraySlice<UInt8>, _ decoder: inout PathAttributeDecoder) -> Reading
    /// Writes the value for an UPDATE, or returns false when the attribute is not sent.
    let encode: (_ update: BGPUpdate, _ context: BGPCodecContext, _ writer: inout ByteWriter) -> Bool

    init(
        flags: UInt8, malformed: Malformed, carriesPrefixes: Bool = false,
        decode: @escaping (ArraySlice<UInt8>, inout PathAttributeDecoder) -> Reading,
        encode: @escaping (BGPUpdate, BGPCodecContext, inout ByteWriter) -> Bool
    ) {
        self.flags = flags
        self.malformed = malformed
        self.carriesPrefixes = carriesPrefixes
        self.decode = decode
        self.encode = encode
    }
}
