import Addresses

/// A real server (IPVS destination) of a virtual service, as Rudder configures it.
///
/// Address and port identify it within its service; the rest can be changed in place.
public struct IPVSRealServer: Hashable, Sendable, CustomStringConvertible {
    /// The server's address; an IPv4 server behind an IPv6 service (or the reverse) needs `.tunnel`.
    public var address: IPAddress
    /// The server's port; 0 with a firewall-mark service keeps each packet's port.
    public var port: UInt16
    /// How packets reach it.
    public var forwarding: IPVSForwardingMethod
    /// Its share of new connections; 0 stops new connections (quiescent) without dropping old ones.
    public var weight: Int32
    /// When active connections reach this, the server gets no new ones; 0 means no limit.
    public var upperThreshold: UInt32
    /// After hitting the upper threshold, the server takes new connections again below this.
    public var lowerThreshold: UInt32

    /// A real server; NAT with weight 1 and no thresholds unless told otherwise.
    public init(
        address: IPAddress, port: UInt16, forwarding: IPVSForwardingMethod = .masquerade, weight: Int32 = 1,
        upperThreshold: UInt32 = 0, lowerThreshold: UInt32 = 0
    ) {
        self.address = address
        self.port = port
        self.forwarding = forwarding
        self.weight = weight
        self.upperThreshold = upperThreshold
        self.lowerThreshold = lowerThreshold
    }

    /// "10.0.0.1:80 Masq weight 1", or "[fd00::1]:80 ...".
    public var description: String {
        var text = "\(IPVSServiceKey.endpoint(address, port)) \(forwarding) weight \(weight)"
        if upperThreshold != 0 || lowerThreshold != 0 { text += " thresholds \(lowerThreshold)-\(upperThreshold)" }
        return text
    }
}
