import RudderLab

/// The speaker tests' hand-written UPDATE: AS 65002 sending 10.9.0.0/24 via 10.0.0.2.
extension WireBytes {
    /// AS_PATH of AS 65002, 4-octet.
    static let asPath = attribute(0x40, 2, hex("02 01 0000fdea"))
    /// NEXT_HOP 10.0.0.2.
    static let nextHop = attribute(0x40, 3, hex("0a000002"))
    /// 10.9.0.0/24.
    static let nlri = hex("18 0a 09 00")
}
