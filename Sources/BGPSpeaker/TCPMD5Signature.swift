import BGP

#if canImport(Glibc)
    import Glibc
#endif

/// `struct tcp_md5sig` of linux/tcp.h, laid out field for field (216 bytes), the value of the
/// TCP_MD5SIG and TCP_MD5SIG_EXT socket options: the peer address (or, with the prefix flag, an
/// address prefix) and the key. A key length of 0 removes the address's key.
struct TCPMD5Signature: Sendable {
    /// TCP_MD5SIG: a key for one address.
    static let option: Int32 = 14
    /// TCP_MD5SIG_EXT: a key with extension flags (Linux 4.13+).
    static let extendedOption: Int32 = 32
    /// TCP_MD5SIG_FLAG_PREFIX: `prefixLength` is valid.
    static let prefixFlag: UInt8 = 0x1
    /// TCP_MD5SIG_MAXKEYLEN.
    static let maximumKeyLength = BGPPassword.maximumLength

    var address: sockaddr_storage
    var flags: UInt8
    var prefixLength: UInt8
    var keyLength: UInt16
    var interfaceIndex: Int32
    var key: InlineArray<80, UInt8>

    /// The key for `address` (or, with `prefixLength`, every address of that prefix); nil removes it.
    init(address: BGPAddress, prefixLength: UInt8? = nil, password: BGPPassword?) {
        self.address = Self.socketAddress(address)
        self.flags = prefixLength == nil ? 0 : Self.prefixFlag
        self.prefixLength = prefixLength ?? 0
        self.interfaceIndex = 0
        self.key = InlineArray(repeating: 0)
        let bytes = password?.bytes ?? []
        self.keyLength = UInt16(bytes.count)
        for (index, byte) in bytes.enumerated() where index < Self.maximumKeyLength { key[index] = byte }
    }

    /// The option that carries this value: the extended one when a prefix length is set.
    var optionName: Int32 { flags & Self.prefixFlag != 0 ? Self.extendedOption : Self.option }

    /// `address` as a sockaddr_in or sockaddr_in6 inside a sockaddr_storage.
    static func socketAddress(_ address: BGPAddress) -> sockaddr_storage {
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { raw in
            let bytes = address.bytes
            switch address.family {
            case .ipv4:
                raw.storeBytes(of: sa_family_t(AF_INET), toByteOffset: 0, as: sa_family_t.self)
                // sin_addr sits after the family and the port.
                for (index, byte) in bytes.enumerated() { raw[4 + index] = byte }
            case .ipv6:
                raw.storeBytes(of: sa_family_t(AF_INET6), toByteOffset: 0, as: sa_family_t.self)
                // sin6_addr sits after the family, the port and the flow info.
                for (index, byte) in bytes.enumerated() { raw[8 + index] = byte }
            }
        }
        return storage
    }
}
