import Addresses
import Netlink

/// One run of netlink attributes read strictly: every header must fit, every value must have its
/// exact size, and a run that does not end where its container ends is refused.
///
/// Netlink's own `NetlinkAttribute.parse` stops quietly at a truncated tail, which is right for
/// walking unknown input but would let a cut-off IPVS reply pass for a complete one.
struct IPVSAttributeReader {
    /// The input is not a well-formed IPVS message.
    struct Malformed: Error {}

    /// Values by attribute type; the last occurrence wins, as in the kernel's nla_parse.
    private var values: [ArraySlice<UInt8>?]

    /// Reads the attributes in `bytes`; types above `maxType` are length-checked and skipped.
    init(_ bytes: ArraySlice<UInt8>, maxType: UInt16) throws(Malformed) {
        values = Array(repeating: nil, count: Int(maxType) + 1)
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            guard bytes.endIndex - offset >= 4 else { throw Malformed() }
            let length = Int(Self.load(UInt16.self, bytes, at: offset))
            let type = Int(Self.load(UInt16.self, bytes, at: offset + 2) & 0x3FFF)
            guard length >= 4, length <= bytes.endIndex - offset else { throw Malformed() }
            if type < values.count { values[type] = bytes[(offset + 4)..<(offset + length)] }
            // The last attribute of a run may come without its padding.
            offset += min((length + 3) & ~3, bytes.endIndex - offset)
        }
    }

    /// The top-level attributes of a generic netlink message whose command must be `command`.
    init(message: NetlinkMessage, command: UInt8) throws(Malformed) {
        let bytes = message.bytes
        let start = NetlinkMessage.headerSize + IPVSNetlink.genericHeaderSize
        guard bytes.count >= start else { throw Malformed() }
        let length = Int(message.length)
        guard length >= start, length <= bytes.count, bytes[NetlinkMessage.headerSize] == command else {
            throw Malformed()
        }
        try self.init(bytes[start..<length], maxType: IPVSNetlink.CommandAttribute.max)
    }

    /// The raw value of `type`, if present.
    func raw(_ type: UInt16) -> ArraySlice<UInt8>? {
        Int(type) < values.count ? values[Int(type)] : nil
    }

    /// A host-order integer attribute that must be exactly as wide as `T`.
    func integer<T: FixedWidthInteger>(_ type: UInt16, as: T.Type = T.self) throws(Malformed) -> T? {
        guard let value = raw(type) else { return nil }
        guard value.count == MemoryLayout<T>.size else { throw Malformed() }
        return Self.load(T.self, value, at: value.startIndex)
    }

    /// A port: a two-byte attribute in network byte order.
    func port(_ type: UInt16) throws(Malformed) -> UInt16? {
        try integer(type, as: UInt16.self).map { UInt16(bigEndian: $0) }
    }

    /// An AF_INET / AF_INET6 attribute.
    func family(_ type: UInt16) throws(Malformed) -> AddressFamily? {
        guard let value = try integer(type, as: UInt16.self) else { return nil }
        guard let family = AddressFamily(kernelValue: Int32(value)) else { throw Malformed() }
        return family
    }

    /// A union nf_inet_addr: exactly 16 bytes, an IPv4 address in the first four.
    func address(_ type: UInt16, family: AddressFamily) throws(Malformed) -> IPAddress? {
        guard let value = raw(type) else { return nil }
        guard value.count == IPVSNetlink.addressSize,
            let address = IPAddress(bytes: value.prefix(family == .ipv4 ? 4 : 16))
        else { throw Malformed() }
        return address
    }

    /// A NUL-terminated string; the terminator must be there.
    func string(_ type: UInt16) throws(Malformed) -> String? {
        guard let value = raw(type) else { return nil }
        guard let end = value.firstIndex(of: 0) else { throw Malformed() }
        return String(decoding: value[value.startIndex..<end], as: UTF8.self)
    }

    /// The attributes nested in `type`, read as strictly as these.
    func nested(_ type: UInt16, maxType: UInt16) throws(Malformed) -> IPVSAttributeReader? {
        guard let value = raw(type) else { return nil }
        return try IPVSAttributeReader(value, maxType: maxType)
    }

    private static func load<T: FixedWidthInteger>(_: T.Type, _ bytes: ArraySlice<UInt8>, at offset: Int) -> T {
        bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset - bytes.startIndex, as: T.self) }
    }
}
