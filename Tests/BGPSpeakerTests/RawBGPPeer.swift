import BGP
import BGPSpeaker
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A hand-driven TCP peer for tests: it sends exactly the bytes a test gives it and records what
/// arrives, so a test can play a peer that stops talking or sends malformed messages.
final class RawBGPPeer: Sendable {
    private let channel: any Channel
    private let collector: Collector

    private init(channel: any Channel, collector: Collector) {
        self.channel = channel
        self.collector = collector
    }

    /// Connects from `local` to `remote` on `loop` (the socket is made on the loop's thread, so in its namespace).
    static func connect(
        on loop: any EventLoop, from local: BGPAddress, to remote: BGPAddress, port: Int = 179, ttl: Int32? = nil,
        timeout: TimeAmount = .seconds(10)
    ) async throws -> RawBGPPeer {
        let collector = Collector()
        let channel = try await loop.flatSubmit {
            do {
                var bootstrap = ClientBootstrap(group: loop).connectTimeout(timeout)
                if let ttl {
                    // The TTL (hop limit) every packet of the connection leaves with, SYN included.
                    let option =
                        remote.family == .ipv4
                        ? ChannelOptions.Types.SocketOption(level: .ip, name: .init(rawValue: IP_TTL))
                        : ChannelOptions.Types.SocketOption(level: .ipv6, name: .init(rawValue: IPV6_UNICAST_HOPS))
                    bootstrap = bootstrap.channelOption(option, value: SocketOptionValue(ttl))
                }
                return
                    bootstrap
                    .bind(to: try SocketAddress(ipAddress: local.description, port: 0))
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(CollectingHandler(collector: collector))
                        }
                    }
                    .connect(to: try SocketAddress(ipAddress: remote.description, port: port))
            } catch {
                return loop.makeFailedFuture(error)
            }
        }.get()
        return RawBGPPeer(channel: channel, collector: collector)
    }

    /// Listens on `address` on `loop`; every accepted connection becomes a raw peer in `accepted`.
    static func listen(on loop: any EventLoop, at address: BGPAddress, port: Int = 179) async throws -> Listener {
        let listener = Listener()
        let channel = try await loop.flatSubmit {
            do {
                return ServerBootstrap(group: loop)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .childChannelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            let collector = Collector()
                            try channel.pipeline.syncOperations.addHandler(CollectingHandler(collector: collector))
                            listener.add(RawBGPPeer(channel: channel, collector: collector))
                        }
                    }
                    .bind(to: try SocketAddress(ipAddress: address.description, port: port))
            } catch {
                return loop.makeFailedFuture(error)
            }
        }.get()
        listener.set(channel)
        return listener
    }

    /// The listening side of `listen`.
    final class Listener: Sendable {
        private let state = Mutex<(peers: [RawBGPPeer], channel: (any Channel)?)>(([], nil))

        /// The connections accepted so far.
        var accepted: [RawBGPPeer] { state.withLock { $0.peers } }

        fileprivate func add(_ peer: RawBGPPeer) { state.withLock { $0.peers.append(peer) } }
        fileprivate func set(_ channel: any Channel) { state.withLock { $0.channel = channel } }

        /// Stops listening and closes every accepted connection.
        func close() async {
            let (peers, channel) = state.withLock { ($0.peers, $0.channel) }
            try? await channel?.close()
            for peer in peers { await peer.close() }
        }
    }

    /// Sends bytes as they are.
    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes)).get()
    }

    /// Sends a message, encoded for a 4-octet AS session.
    func send(_ message: BGPMessage) async throws {
        try await send(message.encode(context: BGPCodecContext(fourOctetAS: true, externalPeer: true)))
    }

    /// The whole messages received so far, decoded (an undecodable one ends the list).
    var messages: [BGPReceivedMessage] {
        var bytes = collector.bytes[...]
        var messages: [BGPReceivedMessage] = []
        while let header = try? BGPMessageHeader.frame(bytes) {
            let message = bytes.prefix(header.messageLength)
            bytes = bytes.dropFirst(header.messageLength)
            guard
                let decoded = try? BGPMessage.decode(
                    Array(message)[...], context: BGPCodecContext(fourOctetAS: true, externalPeer: true))
            else { break }
            messages.append(decoded)
        }
        return messages
    }

    /// How many bytes arrived.
    var receivedByteCount: Int { collector.bytes.count }

    /// Whether the other side closed the connection.
    var isClosed: Bool { collector.closed }

    /// The NOTIFICATIONs received.
    var notifications: [BGPNotification] {
        messages.compactMap { if case .notification(let notification) = $0 { notification } else { nil } }
    }

    /// Closes the connection.
    func close() async {
        try? await channel.close()
    }

    private final class Collector: Sendable {
        private let state = Mutex<(bytes: [UInt8], closed: Bool)>(([], false))
        var bytes: [UInt8] { state.withLock { $0.bytes } }
        var closed: Bool { state.withLock { $0.closed } }
        func append(_ bytes: [UInt8]) { state.withLock { $0.bytes += bytes } }
        func close() { state.withLock { $0.closed = true } }
    }

    private final class CollectingHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let collector: Collector

        init(collector: Collector) {
            self.collector = collector
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            collector.append(buffer.readBytes(length: buffer.readableBytes) ?? [])
        }

        func channelInactive(context: ChannelHandlerContext) {
            collector.close()
            context.fireChannelInactive()
        }
    }
}
