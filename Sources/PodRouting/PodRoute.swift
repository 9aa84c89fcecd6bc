import Addresses

/// A desired pod-CIDR route: a prefix and the node addresses that lead to it.
public struct PodRoute: Hashable, Sendable, CustomStringConvertible {
    /// The pod CIDR.
    public var prefix: IPPrefix
    /// Next hops (node addresses); more than one makes an ECMP route.
    public var nextHops: [IPAddress]
    /// ECMP weights by next hop; absent ones weigh 1.
    public var weights: [IPAddress: Int]
    /// The link (an overlay tunnel's index) every next hop is reached through; nil: the node's
    /// connected subnets and routes decide, as for any route.
    public var link: Int32?

    /// A desired route; next hops are deduplicated and sorted.
    public init(prefix: IPPrefix, nextHops: [IPAddress], weights: [IPAddress: Int] = [:], link: Int32? = nil) {
        self.prefix = prefix
        self.link = link
        self.nextHops = Array(Set(nextHops)).sorted()
        // Weight 1 is the kernel's default: dropping it keeps equal routes equal.
        self.weights = weights.filter { $0.value != 1 }
    }

    public var description: String {
        "\(prefix) via \(nextHops.map { "\($0)" }.joined(separator: ","))" + (link.map { " link #\($0)" } ?? "")
    }
}
