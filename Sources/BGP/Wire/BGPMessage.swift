/// A BGP message to send.
public enum BGPMessage: Hashable, Sendable {
    /// OPEN.
    case open(BGPOpen)
    /// UPDATE.
    case update(BGPUpdate)
    /// NOTIFICATION.
    case notification(BGPNotification)
    /// KEEPALIVE.
    case keepalive
    /// ROUTE-REFRESH.
    case routeRefresh(BGPRouteRefresh)

    /// The message's type.
    public var type: BGPMessageType {
        switch self {
        case .open: .open
        case .update: .update
        case .notification: .notification
        case .keepalive: .keepalive
        case .routeRefresh: .routeRefresh
        }
    }

    /// Writes the whole message; the context matters only to UPDATE.
    public func encode(context: BGPCodecContext) -> [UInt8] {
        switch self {
        case .open(let open): open.encode()
        case .update(let update): update.encode(context: context)
        case .notification(let notification): notification.encode()
        case .keepalive: BGPMessageHeader.finish(BGPMessageHeader.start(.keepalive, capacity: 19))
        case .routeRefresh(let refresh): refresh.encode()
        }
    }

    /// Decodes one whole framed message (see `BGPMessageHeader.frame`). Header errors and broken
    /// OPEN, NOTIFICATION or ROUTE-REFRESH messages throw; an UPDATE always gives an outcome.
    public static func decode(
        _ message: ArraySlice<UInt8>, context: BGPCodecContext
    ) throws(BGPError)
        -> BGPReceivedMessage
    {
        guard let header = try BGPMessageHeader.frame(message), header.messageLength == message.count else {
            throw BGPError(
                object: "message", problem: "\(message.count) bytes are not exactly one message",
                notification: .header(.badMessageLength, data: BGPMessageHeader.lengthData(message.count)))
        }
        let body = message.dropFirst(BGPMessageHeader.length)
        switch header.type {
        case .open: return .open(try BGPOpen.decode(body: body))
        case .update: return .update(BGPUpdate.decode(body: body, context: context))
        case .notification: return .notification(try BGPNotification.decode(body: body))
        case .keepalive: return .keepalive
        case .routeRefresh: return .routeRefresh(try BGPRouteRefresh.decode(body: body))
        }
    }
}
