import Addresses

/// A desired pod-CIDR route: a prefix and the node addresses that lead to it.
public struct PodRoute: Hashable, Sendable, CustomStringConvertible {
    /// The pod CIDR.
    public var prefix: IPPrefix
    /// Next hops (node addresses); more than one makes an ECMP route.
    public var nextHops: [IPAddress]
    /// ECMP weights by next hop; absent ones weigh 1.
    public var weights: [IPAddress: Int]

    /// A desired route; next hops are deduplicated and sorted.
    public init(prefix: IPPrefix, nextHops: [IPAddress], weights: [IPAddress: Int] = [:]) {
        self.prefix = prefix
        self.nextHops = Array(Set(nextHops)).sorted()
        // Weight 1 is the kernel's default: dropping it keeps equal routes equal.
        self.weights = weights.filter { $0.value != 1 }
    }

    public var description: String {
        "\(prefix) via \(nextHops.map { "\($0)" }.joined(separator: ","))"
    }
}
