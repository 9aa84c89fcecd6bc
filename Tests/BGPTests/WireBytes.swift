import RudderLab

@testable import BGP

/// The decoder tests' attributes, prefix and codec contexts.
extension WireBytes {
    static let asPath4 = attribute(0x40, 2, hex("02 02 0000fde9 0000fdea"))
    static let nextHop = attribute(0x40, 3, hex("0a000001"))
    /// 10.1.0.0/24
    static let nlri = hex("18 0a 01 00")

    static let internal4 = BGPCodecContext(fourOctetAS: true, externalPeer: false)
    static let external4 = BGPCodecContext(fourOctetAS: true, externalPeer: true)
    static let internal2 = BGPCodecContext(fourOctetAS: false, externalPeer: false)

    static func decode(_ body: [UInt8], _ context: BGPCodecContext = internal4) -> BGPUpdateOutcome {
        BGPUpdate.decode(body: body[...], context: context)
    }
}
