import BGP
import NIOCore

/// Cuts the TCP byte stream into whole BGP messages with `BGPMessageHeader.frame`; a bad header
/// fails the channel with the `BGPError` whose NOTIFICATION the session sends.
struct BGPFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = [UInt8]

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let header = try BGPMessageHeader.frame(buffer.readableBytesView),
            let message = buffer.readBytes(length: header.messageLength)
        else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(message))
        return .continue
    }

    mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws -> DecodingState {
        // A message cut short by the close is dropped with the connection.
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
