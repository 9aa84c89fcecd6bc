/// One netlink message as raw bytes, header included, with accessors for the header fields.
public struct NetlinkMessage: Sendable, Equatable {
    /// The whole message: the 16-byte header, then the payload.
    public var bytes: [UInt8]

    /// The size of struct nlmsghdr.
    public static let headerSize = 16

    /// Wraps bytes that begin with a netlink header.
    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Builds a message from a type, flags and payload; length is filled in, seq is set on send.
    public init(type: UInt16, flags: UInt16, payload: [UInt8]) {
        var bytes = [UInt8](repeating: 0, count: Self.headerSize)
        bytes.append(contentsOf: payload)
        self.bytes = bytes
        self.length = UInt32(bytes.count)
        self.type = type
        self.flags = flags
    }

    /// nlmsg_len.
    public var length: UInt32 {
        get { bytes.readUInt32(at: 0) }
        set { bytes.writeUInt32(newValue, at: 0) }
    }
    /// nlmsg_type.
    public var type: UInt16 {
        get { bytes.readUInt16(at: 4) }
        set { bytes.writeUInt16(newValue, at: 4) }
    }
    /// nlmsg_flags.
    public var flags: UInt16 {
        get { bytes.readUInt16(at: 6) }
        set { bytes.writeUInt16(newValue, at: 6) }
    }
    /// nlmsg_seq.
    public var sequence: UInt32 {
        get { bytes.readUInt32(at: 8) }
        set { bytes.writeUInt32(newValue, at: 8) }
    }

    /// The bytes after the header.
    public var payload: ArraySlice<UInt8> { bytes[Self.headerSize...] }

    /// Splits a datagram into messages; stops at the first header that does not fit.
    public static func split(_ buffer: UnsafeRawBufferPointer) -> [NetlinkMessage] {
        var messages: [NetlinkMessage] = []
        var offset = 0
        while offset + headerSize <= buffer.count {
            let length = Int(buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            guard length >= headerSize, offset + length <= buffer.count else { break }
            messages.append(NetlinkMessage(bytes: Array(buffer[offset..<offset + length])))
            offset += (length + 3) & ~3
        }
        return messages
    }

    /// For an NLMSG_ERROR message: the errno (positive; 0 for an ACK) and the extended-ack text.
    public var errorReport: (errno: Int32, message: String?)? {
        guard type == 2, bytes.count >= Self.headerSize + 4 else { return nil }
        let code = Int32(bitPattern: bytes.readUInt32(at: Self.headerSize))
        var text: String?
        // NLM_F_ACK_TLVS: attributes follow the echoed request header (capped) or whole request.
        if flags & 0x200 != 0, bytes.count >= Self.headerSize + 4 + Self.headerSize {
            let echoedLength = Int(bytes.readUInt32(at: Self.headerSize + 4))
            let capped = flags & 0x100 != 0
            let start = Self.headerSize + 4 + (capped ? Self.headerSize : (echoedLength + 3) & ~3)
            if start <= bytes.count {
                for attribute in NetlinkAttribute.parse(bytes[start...]) where attribute.type == 1 {
                    text = attribute.stringValue
                }
            }
        }
        // A negated errno; wrapping keeps a corrupt Int32.min from trapping.
        return (0 &- code, text)
    }
}

extension Array where Element == UInt8 {
    func readUInt32(at offset: Int) -> UInt32 {
        withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self) }
    }
    func readUInt16(at offset: Int) -> UInt16 {
        withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt16.self) }
    }
    mutating func writeUInt32(_ value: UInt32, at offset: Int) {
        withUnsafeMutableBytes { $0.storeBytes(of: value, toByteOffset: offset, as: UInt32.self) }
    }
    mutating func writeUInt16(_ value: UInt16, at offset: Int) {
        withUnsafeMutableBytes { $0.storeBytes(of: value, toByteOffset: offset, as: UInt16.self) }
    }
}
