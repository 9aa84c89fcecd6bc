import Foundation

/// Canonical text forms of addresses and prefixes, so that output of BIRD, GoBGP and FRR compares equal.
public enum BGPPeerLabAddress {
    /// The address in inet_ntop form ("fd00:0::1" becomes "fd00::1"), or nil when it is not an address.
    public static func canonical(_ text: some StringProtocol) -> String? {
        let text = String(text)
        if text.contains(":") {
            var address = in6_addr()
            guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
            return format(family: AF_INET6, &address, length: Int(INET6_ADDRSTRLEN))
        }
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return format(family: AF_INET, &address, length: Int(INET_ADDRSTRLEN))
    }

    /// The prefix as "ADDRESS/LENGTH" with a canonical address, or nil when it is not a prefix.
    public static func canonicalPrefix(_ text: some StringProtocol) -> String? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = canonical(parts[0]), let length = Int(parts[1]), length >= 0,
            length <= (address.contains(":") ? 128 : 32)
        else { return nil }
        return "\(address)/\(length)"
    }

    /// Whether the address or prefix is IPv6.
    public static func isIPv6(_ text: some StringProtocol) -> Bool {
        text.contains(":")
    }

    private static func format<Address>(family: Int32, _ address: inout Address, length: Int) -> String? {
        var buffer = [CChar](repeating: 0, count: length)
        let written = withUnsafePointer(to: &address) { pointer in
            buffer.withUnsafeMutableBufferPointer { inet_ntop(family, pointer, $0.baseAddress, socklen_t(length)) }
        }
        guard written != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
