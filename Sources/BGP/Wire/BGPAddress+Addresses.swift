import Addresses

// The shared vocabulary's addresses and BGP's packed wire forms convert bit for bit, without text:
// a full table is a million prefixes, and BGP keeps its own 17-byte form (IPv4 in the top word)
// because its masks and NLRI octets treat both families alike.

extension BGPAddress {
    /// The same address in BGP's form.
    public init(_ address: IPAddress) {
        switch address {
        case .v4(let value): self.init(ipv4: value)
        case .v6(let high, let low): self.init(family: .ipv6, high: high, low: low)
        }
    }
}

extension BGPPrefix {
    /// The same prefix in BGP's form; nil when its length does not fit its family.
    public init?(_ prefix: IPPrefix) {
        self.init(address: BGPAddress(prefix.address), length: prefix.length)
    }

    /// A host prefix (/32 or /128) for one address.
    public init(host address: IPAddress) {
        let bgp = BGPAddress(address)
        self.init(unchecked: bgp, length: UInt8(bgp.family.bitCount))
    }
}

extension IPAddress {
    /// The same address in the shared vocabulary.
    public init(_ address: BGPAddress) {
        switch address.family {
        case .ipv4: self = .v4(UInt32(truncatingIfNeeded: address.high >> 32))
        case .ipv6: self = .v6(address.high, address.low)
        }
    }
}

extension IPPrefix {
    /// The same prefix in the shared vocabulary.
    public init(_ prefix: BGPPrefix) {
        self.init(address: IPAddress(prefix.address), length: Int(prefix.length))
    }
}
