/// How IPVS forwards packets to a real server (IP_VS_CONN_F_* forwarding method).
public enum IPVSForwardingMethod: UInt32, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// NAT: the kernel rewrites the destination (ipvsadm `-m`).
    case masquerade = 0
    /// The real server is this node.
    case local = 1
    /// IP-in-IP tunnelling (ipvsadm `-i`).
    case tunnel = 2
    /// Direct routing / gatewaying (ipvsadm `-g`).
    case directRoute = 3

    /// The method as `ipvsadm -Ln` names it: "Masq", "Local", "Tunnel", "Route".
    public var description: String {
        switch self {
        case .masquerade: "Masq"
        case .local: "Local"
        case .tunnel: "Tunnel"
        case .directRoute: "Route"
        }
    }
}
