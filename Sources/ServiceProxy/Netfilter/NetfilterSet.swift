import Addresses
import Netfilter

/// The ipsets behind Rudder's netfilter rules: what each holds, its type, and its name per family.
public enum NetfilterSet: Hashable, Sendable, CaseIterable, Comparable {
    /// `hash:net`: the pod subnets, whose traffic keeps its source address.
    case podSubnets
    /// `hash:ip,port,ip`: `ENDPOINT,PROTO:PORT,ENDPOINT`, hairpin traffic to masquerade.
    case loopback
    /// `hash:ip,port`: `VIP,PROTO:PORT` of virtual services whose outside traffic is masqueraded.
    case services
    /// `hash:ip,port`: `LBIP,PROTO:PORT` of load-balancer virtual services with source ranges.
    case firewall
    /// `hash:ip,port,net`: `LBIP,PROTO:PORT,RANGE`, the sources allowed through the firewall.
    case allowedSources

    /// The set's name for `family`; IPv6 sets end in "-6".
    public func name(_ family: AddressFamily) -> String {
        let base =
            switch self {
            case .podSubnets: "RUDDER-POD-SUBNETS"
            case .loopback: "RUDDER-LOOPBACK"
            case .services: "RUDDER-VIRTUAL-SERVICES"
            case .firewall: "RUDDER-LB-FIREWALL"
            case .allowedSources: "RUDDER-LB-SOURCES"
            }
        return family == .ipv4 ? base : base + "-6"
    }

    /// The set's ipset type.
    public var type: IPSetType {
        switch self {
        case .podSubnets: .hashNet
        case .loopback: .hashIPPortIP
        case .services, .firewall: .hashIPPort
        case .allowedSources: .hashIPPortNet
        }
    }

    /// Whether the set serves the load-balancer firewall (filter table) rather than masquerade (nat).
    public var isFirewall: Bool { self == .firewall || self == .allowedSources }
}

/// One member of one of Rudder's sets.
public struct NetfilterMember: Hashable, Sendable, CustomStringConvertible {
    /// The set it belongs in.
    public var set: NetfilterSet
    /// The member in that set's syntax.
    public var member: IPSetMember

    /// A member of `set`.
    public init(_ set: NetfilterSet, _ member: IPSetMember) {
        self.set = set
        self.member = member
    }

    /// "SET MEMBER", as `ipset add` takes them.
    public var description: String { "\(set.name(member.family)) \(member)" }
}
