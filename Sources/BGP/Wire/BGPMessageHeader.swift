/// The 19-byte header in front of every message (RFC 4271 §4.1): 16 bytes of 0xff, the length of
/// the whole message, and its type. Its `frame` function finds message boundaries in a stream.
public struct BGPMessageHeader: Hashable, Sendable {
    /// The header's size.
    public static let length = 19
    /// The largest message without the extended message capability (RFC 8654), which Rudder does not offer.
    public static let maximumMessageLength = 4096

    /// The message's type.
    public var type: BGPMessageType
    /// The length of the whole message, header included.
    public var messageLength: Int

    /// Looks at the start of a received byte stream: nil when more bytes are needed, the header
    /// when a whole message is there. A bad header throws at once, with the NOTIFICATION RFC 4271
    /// §6.1 names (Connection Not Synchronized, Bad Message Length, Bad Message Type).
    public static func frame(_ bytes: some Collection<UInt8>) throws(BGPError) -> BGPMessageHeader? {
        guard bytes.count >= length else {
            guard bytes.prefix(16).allSatisfy({ $0 == 0xff }) else {
                throw BGPError(
                    object: "message header", problem: "the marker is not 16 bytes of 0xff",
                    notification: .header(.connectionNotSynchronized))
            }
            return nil
        }
        let head = Array(bytes.prefix(length))
        guard head[0..<16].allSatisfy({ $0 == 0xff }) else {
            throw BGPError(
                object: "message header", problem: "the marker is not 16 bytes of 0xff",
                notification: .header(.connectionNotSynchronized))
        }
        let messageLength = Int(head[16]) << 8 | Int(head[17])
        guard messageLength >= length, messageLength <= maximumMessageLength else {
            throw BGPError(
                object: "message header", problem: "length \(messageLength) is outside 19...4096",
                notification: .header(.badMessageLength, data: [head[16], head[17]]))
        }
        guard let type = BGPMessageType(rawValue: head[18]) else {
            throw BGPError(
                object: "message header", problem: "unknown message type \(head[18])",
                notification: .header(.badMessageType, data: [head[18]]))
        }
        let fixedLength = type == .keepalive
        guard messageLength >= type.minimumLength, !fixedLength || messageLength == type.minimumLength else {
            throw BGPError(
                object: "\(type) header", problem: "length \(messageLength) is invalid for the type",
                notification: .header(.badMessageLength, data: [head[16], head[17]]))
        }
        guard bytes.count >= messageLength else { return nil }
        return BGPMessageHeader(type: type, messageLength: messageLength)
    }

    /// A writer holding a header whose length is filled in by `finish`.
    static func start(_ type: BGPMessageType, capacity: Int = 64) -> ByteWriter {
        var writer = ByteWriter(capacity: capacity)
        writer.write(repeatElement(0xff as UInt8, count: 16))
        _ = writer.reserveUInt16()
        writer.writeUInt8(type.rawValue)
        return writer
    }

    /// The message with its length field set.
    static func finish(_ writer: ByteWriter) -> [UInt8] {
        var writer = writer
        writer.patchUInt16(at: 16, UInt16(truncatingIfNeeded: writer.count))
        return writer.bytes
    }

    /// A length as the two bytes Bad Message Length carries.
    static func lengthData(_ length: Int) -> [UInt8] {
        [UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)]
    }
}
