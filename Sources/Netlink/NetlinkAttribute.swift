/// A netlink attribute (struct nlattr + value), built and parsed in host byte order.
public struct NetlinkAttribute: Sendable, Equatable {
    /// The attribute type without the NLA_F_NESTED / NLA_F_NET_BYTEORDER bits.
    public var type: UInt16
    /// Whether NLA_F_NESTED was set or should be set.
    public var nested: Bool
    /// The value bytes, unpadded.
    public var value: [UInt8]

    /// An attribute with raw bytes.
    public init(type: UInt16, bytes: [UInt8], nested: Bool = false) {
        self.type = type
        self.value = bytes
        self.nested = nested
    }

    /// A u8 attribute.
    public static func u8(_ type: UInt16, _ value: UInt8) -> Self { Self(type: type, bytes: [value]) }
    /// A u16 attribute in host order.
    public static func u16(_ type: UInt16, _ value: UInt16) -> Self {
        Self(type: type, bytes: withUnsafeBytes(of: value) { Array($0) })
    }
    /// A u32 attribute in host order.
    public static func u32(_ type: UInt16, _ value: UInt32) -> Self {
        Self(type: type, bytes: withUnsafeBytes(of: value) { Array($0) })
    }
    /// A u64 attribute in host order.
    public static func u64(_ type: UInt16, _ value: UInt64) -> Self {
        Self(type: type, bytes: withUnsafeBytes(of: value) { Array($0) })
    }
    /// A NUL-terminated string attribute.
    public static func string(_ type: UInt16, _ value: String) -> Self {
        Self(type: type, bytes: Array(value.utf8) + [0])
    }
    /// A nested attribute holding `children`.
    public static func nest(_ type: UInt16, _ children: [NetlinkAttribute]) -> Self {
        Self(type: type, bytes: encode(children), nested: true)
    }

    /// Appends the attributes, each padded to 4 bytes.
    public static func encode(_ attributes: [NetlinkAttribute]) -> [UInt8] {
        var out: [UInt8] = []
        for attribute in attributes {
            let length = UInt16(4 + attribute.value.count)
            let type = attribute.type | (attribute.nested ? 0x8000 : 0)
            withUnsafeBytes(of: length) { out.append(contentsOf: $0) }
            withUnsafeBytes(of: type) { out.append(contentsOf: $0) }
            out.append(contentsOf: attribute.value)
            out.append(contentsOf: repeatElement(0, count: (4 - attribute.value.count % 4) % 4))
        }
        return out
    }

    /// Parses a run of attributes; a truncated or malformed tail ends the run.
    public static func parse(_ bytes: ArraySlice<UInt8>) -> [NetlinkAttribute] {
        var result: [NetlinkAttribute] = []
        var offset = bytes.startIndex
        while offset + 4 <= bytes.endIndex {
            let length = Int(UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8)
            let rawType = UInt16(bytes[offset + 2]) | UInt16(bytes[offset + 3]) << 8
            guard length >= 4, offset + length <= bytes.endIndex else { break }
            let value = Array(bytes[(offset + 4)..<(offset + length)])
            result.append(NetlinkAttribute(type: rawType & 0x3FFF, bytes: value, nested: rawType & 0x8000 != 0))
            offset += (length + 3) & ~3
        }
        return result
    }

    /// The nested attributes inside this one.
    public var children: [NetlinkAttribute] { Self.parse(value[...]) }

    /// The value as u8, when it is at least one byte.
    public var u8Value: UInt8? { value.first }
    /// The value as host-order u16, when it has two bytes.
    public var u16Value: UInt16? { value.count >= 2 ? value.readUInt16(at: 0) : nil }
    /// The value as host-order u32, when it has four bytes.
    public var u32Value: UInt32? { value.count >= 4 ? value.readUInt32(at: 0) : nil }
    /// The value as host-order u64, when it has eight bytes.
    public var u64Value: UInt64? {
        value.count >= 8 ? value.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) } : nil
    }
    /// The value as a string, without its terminating NUL.
    public var stringValue: String { String(decoding: value.prefix { $0 != 0 }, as: UTF8.self) }
}

extension Array where Element == NetlinkAttribute {
    /// The first attribute of the given type.
    public func first(type: UInt16) -> NetlinkAttribute? { first { $0.type == type } }
}
