import BGP
import NIOCore

/// The last handler of a session's pipeline: hands whole messages, framing errors and the end of
/// the connection to the `BGPConnection` that owns the channel. It runs on the speaker's event
/// loop, like the connection, so it calls it directly.
final class BGPChannelHandler: ChannelInboundHandler {
    typealias InboundIn = [UInt8]

    /// The owner; reassigned when a connection is handed from one session machine to another.
    weak var connection: BGPConnection?

    /// Called once when an accepted connection becomes active, to hand it to its peer.
    var onActive: ((any Channel) -> Void)?

    init(connection: BGPConnection?) {
        self.connection = connection
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        let onActive = self.onActive
        self.onActive = nil
        onActive?(context.channel)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        connection?.received(unwrapInboundIn(data), on: context.channel)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        connection?.readComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection?.closed(context.channel)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? BGPError {
            connection?.decodeFailed(error, on: context.channel)
        } else {
            // A reset or another socket error: the close that follows reports the loss.
            context.close(promise: nil)
        }
    }
}
