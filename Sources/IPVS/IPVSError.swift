import Netlink

/// Failures of the IPVS client that are not a single netlink error.
public enum IPVSError: Error, Sendable, CustomStringConvertible {
    /// The kernel has no IPVS in this namespace: the ip_vs module is not loaded (or not built).
    case unavailable(namespace: NetworkNamespace, cause: NetlinkError)
    /// A reply from the kernel did not decode; `operation` says which request it answered.
    case malformedReply(operation: String)

    /// One line a user can act on.
    public var description: String {
        switch self {
        case .unavailable(let namespace, let cause):
            "IPVS is not available in network namespace \(namespace): the kernel has no \"IPVS\" generic "
                + "netlink family (is the ip_vs module loaded?); \(cause)"
        case .malformedReply(let operation): "\(operation): the kernel's reply is malformed"
        }
    }
}
