import Addresses

/// One entry of an ipset, written and read in ipset's own syntax.
///
/// `description` is exactly what `ipset add` takes and `ipset save` prints: "10.0.0.1",
/// "10.0.0.0/24", "10.0.0.1,tcp:80", "10.0.0.1,tcp:80,10.0.0.2", and the same shapes with IPv6
/// addresses.
public enum IPSetMember: Hashable, Sendable, CustomStringConvertible, LosslessStringConvertible {
    /// An address, for `hash:ip`.
    case ip(IPAddress)
    /// A prefix, for `hash:net`; its host bits must be zero, as the kernel keeps only the network.
    case net(IPPrefix)
    /// An address with a protocol and port, for `hash:ip,port`.
    case ipPort(IPAddress, protocol: TransportProtocol, port: UInt16)
    /// An address with a protocol and port, and a second address, for `hash:ip,port,ip`.
    case ipPortIP(IPAddress, protocol: TransportProtocol, port: UInt16, IPAddress)
    /// An address with a protocol and port, and a prefix, for `hash:ip,port,net`.
    case ipPortNet(IPAddress, protocol: TransportProtocol, port: UInt16, IPPrefix)

    /// The address family of the member.
    public var family: AddressFamily {
        switch self {
        case .ip(let address), .ipPort(let address, _, _), .ipPortIP(let address, _, _, _),
            .ipPortNet(let address, _, _, _):
            address.family
        case .net(let prefix): prefix.family
        }
    }

    /// The member in ipset's syntax.
    public var description: String {
        switch self {
        case .ip(let address): "\(address)"
        case .net(let prefix): "\(prefix)"
        case .ipPort(let address, let proto, let port): "\(address),\(proto):\(port)"
        case .ipPortIP(let address, let proto, let port, let second): "\(address),\(proto):\(port),\(second)"
        case .ipPortNet(let address, let proto, let port, let prefix): "\(address),\(proto):\(port),\(prefix)"
        }
    }

    /// Parses ipset's syntax; the shape decides the case ("a,proto:port,b/len", "a,proto:port,b",
    /// "a,proto:port", "a/len" or "a").
    ///
    /// A prefix with host bits set is refused, since the kernel would store another value.
    public init?(_ description: String) {
        let commas = description.count(where: { $0 == "," })
        if commas == 2, description.contains("/") {
            self.init(parsingIPPortNet: description, hostAllowed: false)
        } else if commas == 2 {
            self.init(parsingIPPortIP: description)
        } else if commas == 1 {
            self.init(parsingIPPort: description)
        } else if description.contains("/") {
            guard let prefix = try? IPPrefix(parsing: description) else { return nil }
            self = .net(prefix)
        } else {
            guard let address = IPAddress(description) else { return nil }
            self = .ip(address)
        }
    }

    /// Parses a member as ipset lists it for a set of `type`.
    ///
    /// `hash:net` and `hash:ip,port,net` list a host prefix (/32, /128) as a bare address; it reads
    /// back as a prefix.
    public init?(parsing text: some StringProtocol, as type: IPSetType) {
        let text = String(text)
        switch type {
        case .hashIP:
            guard let address = IPAddress(text) else { return nil }
            self = .ip(address)
        case .hashNet:
            if let address = IPAddress(text) {
                self = .net(IPPrefix(address: address, length: address.family.bitWidth))
            } else {
                guard text.contains("/"), let prefix = try? IPPrefix(parsing: text) else { return nil }
                self = .net(prefix)
            }
        case .hashIPPort:
            self.init(parsingIPPort: text)
        case .hashIPPortIP:
            self.init(parsingIPPortIP: text)
        case .hashIPPortNet:
            self.init(parsingIPPortNet: text, hostAllowed: true)
        }
    }

    /// Parses "ADDRESS,PROTOCOL:PORT"; IPv6 addresses need no brackets, as the comma separates.
    private init?(parsingIPPort text: String) {
        guard let comma = text.lastIndex(of: ",") else { return nil }
        let service = text[text.index(after: comma)...].split(separator: ":", omittingEmptySubsequences: false)
        guard let address = IPAddress(text[..<comma]), service.count == 2,
            let proto = TransportProtocol(rawValue: String(service[0])), let port = UInt16(service[1])
        else { return nil }
        self = .ipPort(address, protocol: proto, port: port)
    }

    /// Parses "ADDRESS,PROTOCOL:PORT,ADDRESS"; both addresses must be of one family.
    private init?(parsingIPPortIP text: String) {
        guard let comma = text.lastIndex(of: ","), let second = IPAddress(text[text.index(after: comma)...]),
            case .ipPort(let address, let proto, let port)? = IPSetMember(parsingIPPort: String(text[..<comma])),
            address.family == second.family
        else { return nil }
        self = .ipPortIP(address, protocol: proto, port: port, second)
    }

    /// Parses "ADDRESS,PROTOCOL:PORT,PREFIX"; a bare address as the last part is a host prefix
    /// when `hostAllowed` (as ipset lists one). Host bits must be zero, and the families agree.
    private init?(parsingIPPortNet text: String, hostAllowed: Bool) {
        guard let comma = text.lastIndex(of: ","),
            case .ipPort(let address, let proto, let port)? = IPSetMember(parsingIPPort: String(text[..<comma]))
        else { return nil }
        let last = String(text[text.index(after: comma)...])
        let prefix: IPPrefix
        if let host = IPAddress(last), hostAllowed {
            prefix = IPPrefix(address: host, length: host.family.bitWidth)
        } else {
            guard last.contains("/"), let parsed = try? IPPrefix(parsing: last) else { return nil }
            prefix = parsed
        }
        guard prefix.family == address.family, prefix.network == prefix else { return nil }
        self = .ipPortNet(address, protocol: proto, port: port, prefix)
    }
}
