/// The kinds of ipset that Rudder creates and reads, named as `ipset create` names them.
public enum IPSetType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// `hash:ip`: single addresses, such as ClusterIPs or node addresses.
    case hashIP = "hash:ip"
    /// `hash:net`: prefixes, such as pod or service CIDRs.
    case hashNet = "hash:net"
    /// `hash:ip,port`: an address with a protocol and port, such as a Service's ClusterIP and port.
    case hashIPPort = "hash:ip,port"
    /// `hash:ip,port,ip`: an address, protocol and port with a second address, such as an endpoint
    /// and its own address as a source (hairpin traffic).
    case hashIPPortIP = "hash:ip,port,ip"
    /// `hash:ip,port,net`: an address, protocol and port with a prefix, such as a load-balancer
    /// IP and port with a client range allowed to reach it.
    case hashIPPortNet = "hash:ip,port,net"

    /// The type name in ipset's syntax ("hash:ip,port").
    public var description: String { rawValue }

    /// Whether a set of this type holds `member` as it is, without the kernel widening it.
    ///
    /// A prefix is refused by `hash:ip` (the kernel would add every address in it) and an address
    /// by `hash:net` (the kernel would list it back as a /32), so that what is written reads back
    /// the same.
    public func accepts(_ member: IPSetMember) -> Bool {
        switch (self, member) {
        case (.hashIP, .ip), (.hashNet, .net), (.hashIPPort, .ipPort), (.hashIPPortIP, .ipPortIP),
            (.hashIPPortNet, .ipPortNet):
            true
        default: false
        }
    }
}
