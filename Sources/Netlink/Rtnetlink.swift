import Addresses
import CNetlink

#if canImport(Glibc)
    import Glibc
#endif

/// The rtnetlink API: links, addresses and routes in one network namespace.
///
/// Calls block; run them on a `NetlinkExecutor`, not on the cooperative pool.
public final class Rtnetlink: Sendable {
    /// The underlying socket; its `writesSent` counts every state change made through it.
    public let socket: NetlinkSocket

    /// Opens an rtnetlink socket in `namespace`.
    public init(namespace: NetworkNamespace = .current) throws {
        socket = try NetlinkSocket(family: .route, namespace: namespace)
    }

    /// How many state-changing messages have been sent.
    public var writesSent: Int { socket.writesSent }
}

/// Conversions between Swift values and libnl's nl_addr.
enum NLAddress {
    /// A new nl_addr holding `address` with `prefixLength`; the caller puts the reference.
    static func make(_ address: IPAddress, prefixLength: Int) -> OpaquePointer {
        var bytes = address.bytes
        let pointer = nl_addr_build(address.family.kernelValue, &bytes, bytes.count)!
        nl_addr_set_prefixlen(pointer, Int32(prefixLength))
        return pointer
    }

    /// The address in an nl_addr, or nil when it is empty or not IP.
    static func address(_ pointer: OpaquePointer?) -> IPAddress? {
        guard let pointer, nl_addr_get_len(pointer) > 0, let raw = nl_addr_get_binary_addr(pointer) else { return nil }
        let buffer = UnsafeRawBufferPointer(start: raw, count: Int(nl_addr_get_len(pointer)))
        return IPAddress(bytes: buffer)
    }

    /// The prefix in an nl_addr; an empty one is the default route of `family`.
    static func prefix(_ pointer: OpaquePointer?, family: AddressFamily) -> IPPrefix {
        guard let address = address(pointer) else {
            return IPPrefix(address: family == .ipv4 ? .v4(0) : .v6(0, 0), length: 0)
        }
        return IPPrefix(address: address, length: Int(nl_addr_get_prefixlen(pointer!)))
    }
}
