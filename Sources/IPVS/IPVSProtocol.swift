/// The transport protocol of an address-based IPVS virtual service, with the kernel's IPPROTO_* number.
public enum IPVSProtocol: UInt16, Hashable, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    /// TCP (IPPROTO_TCP).
    case tcp = 6
    /// UDP (IPPROTO_UDP).
    case udp = 17
    /// SCTP (IPPROTO_SCTP).
    case sctp = 132

    /// The protocol as `ipvsadm -Ln` names it: "TCP", "UDP", "SCTP".
    public var description: String {
        switch self {
        case .tcp: "TCP"
        case .udp: "UDP"
        case .sctp: "SCTP"
        }
    }

    /// Orders by protocol number.
    public static func < (lhs: IPVSProtocol, rhs: IPVSProtocol) -> Bool { lhs.rawValue < rhs.rawValue }
}
