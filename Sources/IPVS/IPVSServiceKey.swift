import Addresses

/// What identifies an IPVS virtual service in the kernel: protocol, address and port, or a firewall mark.
public enum IPVSServiceKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// A service on an address and port for one protocol.
    case address(IPVSProtocol, IPAddress, port: UInt16)
    /// A service matching packets that carry a firewall mark, for one address family.
    case firewallMark(AddressFamily, UInt32)

    /// The service's address family.
    public var family: AddressFamily {
        switch self {
        case .address(_, let address, _): address.family
        case .firewallMark(let family, _): family
        }
    }

    /// The key as `ipvsadm -Ln` writes it: "TCP 10.96.0.10:53", "UDP [fd00::10]:53", "FWM 42 IPv4".
    public var description: String {
        switch self {
        case .address(let proto, let address, let port):
            "\(proto) \(IPVSServiceKey.endpoint(address, port))"
        case .firewallMark(let family, let mark):
            "FWM \(mark) \(family == .ipv4 ? "IPv4" : "IPv6")"
        }
    }

    /// Address services first (by address, protocol, port), then firewall marks (IPv4 first, by mark).
    public static func < (lhs: IPVSServiceKey, rhs: IPVSServiceKey) -> Bool {
        switch (lhs, rhs) {
        case (.address(let lp, let la, let lport), .address(let rp, let ra, let rport)):
            if la != ra { return la < ra }
            if lp != rp { return lp < rp }
            return lport < rport
        case (.firewallMark(let lf, let lm), .firewallMark(let rf, let rm)):
            if lf != rf { return lf == .ipv4 }
            return lm < rm
        case (.address, .firewallMark): return true
        case (.firewallMark, .address): return false
        }
    }

    /// "10.0.0.1:80" or "[fd00::1]:80".
    public static func endpoint(_ address: IPAddress, _ port: UInt16) -> String {
        address.family == .ipv4 ? "\(address):\(port)" : "[\(address)]:\(port)"
    }
}
