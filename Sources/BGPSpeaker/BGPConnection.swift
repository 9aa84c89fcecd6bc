import BGP
import Logging
import NIOCore
import NIOPosix

/// One session state machine with its TCP connection and timers: the driver that feeds the
/// machine events and carries out its actions.
///
/// Confinement: a connection, like everything of the speaker but the public `BGPSpeaker` façade,
/// lives on the speaker's single event loop. Its channel is on that loop too (every bootstrap the
/// speaker makes uses that loop), so channel callbacks, timers and API calls all arrive on one
/// thread, one at a time: no locks, and no state is touched from anywhere else.
final class BGPConnection {
    /// The peer this machine belongs to; nil once the connection is disposed of.
    private(set) weak var peer: BGPPeerSession?
    /// The RFC 4271 machine.
    private(set) var machine: BGPSessionStateMachine
    /// The TCP connection, while there is one.
    private(set) var channel: (any Channel)?
    /// Who opened the current connection.
    private(set) var direction: BGPCollisionResolver.Direction = .outgoing
    /// Our end of the connection, the next hop we announce.
    private(set) var localAddress: BGPAddress?
    private var codecContext = BGPCodecContext(fourOctetAS: false, externalPeer: true)
    private var timers: [BGPTimerKind: Scheduled<Void>] = [:]
    private var attempt = 0
    private var disposed = false
    private var unflushed = false
    private let loop: any EventLoop
    private let logger: Logger

    init(peer: BGPPeerSession?, machine: BGPSessionStateMachine, loop: any EventLoop, logger: Logger) {
        self.peer = peer
        self.machine = machine
        self.loop = loop
        self.logger = logger
    }

    /// Sets the peer of a connection made before its peer was complete.
    func belongs(to peer: BGPPeerSession) {
        self.peer = peer
    }

    /// The machine's state.
    var state: BGPSessionState { machine.state }

    /// Feeds one event to the machine and carries out what it returns.
    func handle(_ event: BGPSessionEvent) {
        guard !disposed else { return }
        execute(machine.handle(event))
    }

    /// Starts the machine as the second connection of a peer, for a connection that already exists:
    /// the connection attempt a start asks for is not made.
    func startForExistingConnection(_ channel: any Channel, direction: BGPCollisionResolver.Direction) {
        execute(machine.handle(.start).filter { $0 != .connect })
        attach(channel, direction: direction)
        handle(direction == .incoming ? .tcpConnectionConfirmed : .tcpConnectionEstablished)
    }

    /// Makes `channel` this machine's connection.
    func attach(_ channel: any Channel, direction: BGPCollisionResolver.Direction) {
        self.channel = channel
        self.direction = direction
        localAddress = channel.localAddress.flatMap(BGPAddress.init(socketAddress:))
        if let handler = try? channel.pipeline.syncOperations.handler(type: BGPChannelHandler.self) {
            handler.connection = self
        }
    }

    /// Sends UPDATEs (an initial table, Loc-RIB changes, a refresh) on the established connection.
    func send(_ updates: [BGPUpdate]) {
        guard let channel, !updates.isEmpty else { return }
        for update in updates {
            channel.write(channel.allocator.buffer(bytes: update.encode(context: codecContext)), promise: nil)
        }
        channel.flush()
    }

    /// Closes the connection and stops every timer; nothing this machine does afterwards has an effect.
    func dispose() {
        guard !disposed else { return }
        disposed = true
        for timer in timers.values { timer.cancel() }
        timers = [:]
        attempt += 1
        if let channel {
            self.channel = nil
            channel.close(promise: nil)
        }
        peer = nil
    }

    // MARK: Channel callbacks

    func received(_ bytes: [UInt8], on channel: any Channel) {
        guard channel === self.channel else { return }
        let event: BGPSessionEvent
        do throws(BGPError) {
            event = .messageReceived(try BGPMessage.decode(bytes[...], context: codecContext))
        } catch {
            event = .decodeFailed(error)
        }
        handle(event)
        if case .messageReceived(.open) = event { peer?.resolveCollision() }
    }

    func readComplete() {
        peer?.readComplete()
    }

    func decodeFailed(_ error: BGPError, on channel: any Channel) {
        guard channel === self.channel else { return }
        handle(.decodeFailed(error))
    }

    func closed(_ channel: any Channel) {
        guard channel === self.channel else { return }
        self.channel = nil
        handle(.tcpConnectionFailed)
    }

    // MARK: Actions

    private func execute(_ actions: [BGPSessionAction]) {
        for action in actions {
            guard !disposed else { return }
            switch action {
            case .connect:
                connect()
            case .send(let message):
                write(message)
            case .closeConnection:
                close()
            case .armTimer(let kind, let delay):
                arm(kind, after: delay)
            case .cancelTimer(let kind):
                timers.removeValue(forKey: kind)?.cancel()
            case .sessionEstablished(let session):
                codecContext = session.codecContext
                flush()
                peer?.sessionEstablished(session, on: self)
            case .sessionDown(let reason, let wasEstablished, let retained):
                peer?.sessionDown(reason, wasEstablished: wasEstablished, retainedFamilies: retained, on: self)
            case .deliverUpdate(let update, let problems):
                peer?.deliver(update, problems: problems)
            case .endOfRIBReceived(let family):
                peer?.endOfRIB(family)
            case .purgeStaleRoutes(let families):
                peer?.purgeStale(families)
            case .routeRefreshRequested(let refresh):
                peer?.refresh(refresh.afiSafi, on: self)
            }
        }
        flush()
    }

    private func write(_ message: BGPMessage) {
        guard let channel else { return }
        if case .notification(let notification) = message {
            logger.info("sending NOTIFICATION", metadata: ["notification": "\(notification)"])
        }
        channel.write(channel.allocator.buffer(bytes: message.encode(context: codecContext)), promise: nil)
        unflushed = true
    }

    private func flush() {
        guard unflushed else { return }
        unflushed = false
        channel?.flush()
    }

    private func close() {
        attempt += 1
        flush()
        guard let channel else { return }
        self.channel = nil
        channel.close(promise: nil)
    }

    private func arm(_ kind: BGPTimerKind, after delay: Duration) {
        timers.removeValue(forKey: kind)?.cancel()
        let (seconds, attoseconds) = delay.components
        let amount = TimeAmount.nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        timers[kind] = loop.assumeIsolated().scheduleTask(in: amount) { [weak self] in
            guard let self, !self.disposed else { return }
            self.timers[kind] = nil
            self.handle(.timerExpired(kind))
        }
    }

    private func connect() {
        guard let peer else { return }
        attempt += 1
        let generation = attempt
        let bound = NIOLoopBound(self, eventLoop: loop)
        let settings = peer.settings
        let logger = logger
        var bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(.seconds(10))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                do {
                    let family = settings.address.family
                    if let password = settings.password {
                        try BGPSocketOptions.setMD5(on: channel, address: settings.address, password: password)
                    }
                    try BGPSocketOptions.setTTL(on: channel, family: family, configuration: settings.configuration)
                    try channel.pipeline.syncOperations.addHandlers(
                        ByteToMessageHandler(BGPFrameDecoder()), BGPChannelHandler(connection: bound.value))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    logger.error("cannot prepare the connection", metadata: ["error": "\(error)"])
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
        if let local = settings.configuration.localAddress {
            do {
                bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: local.description, port: 0))
            } catch {
                logger.error("bad local address", metadata: ["address": "\(local)", "error": "\(error)"])
            }
        }
        let target: SocketAddress
        do {
            target = try SocketAddress(ipAddress: settings.address.description, port: settings.port)
        } catch {
            handle(.tcpConnectionFailed)
            return
        }
        logger.debug("connecting", metadata: ["port": "\(settings.port)"])
        bootstrap.connect(to: target).assumeIsolated().whenComplete { [weak self] result in
            guard let self else {
                if case .success(let channel) = result { channel.close(promise: nil) }
                return
            }
            let current = generation == self.attempt && !self.disposed && self.state.name == .connect
            switch result {
            case .success(let channel):
                if current {
                    self.attach(channel, direction: .outgoing)
                    self.handle(.tcpConnectionEstablished)
                } else if let peer = self.peer {
                    peer.adopt(channel, direction: .outgoing)
                } else {
                    channel.close(promise: nil)
                }
            case .failure(let error):
                self.logger.debug("connection attempt failed", metadata: ["error": "\(error)"])
                if current { self.handle(.tcpConnectionFailed) }
            }
        }
    }
}
