import BGP
import Logging
import NIOCore
import NIOPosix

/// The speaker's state — the Loc-RIB, the peers, the listening sockets — and everything that
/// changes it. It lives on one event loop and is only touched there (the public `BGPSpeaker`
/// hops onto the loop for every call), so every mutation is serialized without a lock.
final class BGPSpeakerCore {
    /// The loop everything runs on: listeners, connections, timers.
    let loop: any EventLoop
    /// The configuration; its peers and ranges are kept up to date by run-time changes.
    private(set) var configuration: BGPSpeakerConfiguration
    /// Every route known, and the best of each prefix.
    var locRIB: LocRIB
    private var peers: [BGPAddress: BGPPeerSession] = [:]
    private var listeners: [(address: BGPAddress, channel: any Channel)] = []
    private var running = false
    private var finished = false
    private var pending: [[LocRIBChange]] = []
    private var pendingCount = 0
    private var flushScheduled = false
    private static let flushThreshold = 8_192
    private let continuation: AsyncStream<[LocRIBChange]>.Continuation
    private let logger: Logger

    init(
        configuration: BGPSpeakerConfiguration, loop: any EventLoop,
        continuation: AsyncStream<[LocRIBChange]>.Continuation, logger: Logger
    ) {
        self.configuration = configuration
        self.loop = loop
        self.continuation = continuation
        self.logger = logger
        self.locRIB = LocRIB(options: LocRIB.Options(localAS: configuration.localAS, routerID: configuration.routerID))
    }

    // MARK: Life cycle

    /// Binds every listening socket, sets the MD5 keys on them, then starts every peer.
    func start() -> EventLoopFuture<Void> {
        guard !running, !finished else { return loop.makeSucceededVoidFuture() }
        running = true
        let binds = configuration.listenAddresses.map(listen)
        return EventLoopFuture.andAllSucceed(binds, on: loop).assumeIsolated().map {
            for peer in self.configuration.peers { self.startPeer(peer) }
        }.flatMapError { error in
            self.running = false
            return self.closeListeners().flatMapThrowing { throw error }
        }.nonisolated()
    }

    /// Stops every session, with Cease / Administrative Shutdown when `notify` (as a clean stop),
    /// or without any NOTIFICATION (as a crash or a restart under graceful restart would), closes
    /// the listeners and ends the stream of best-route changes.
    func stop(notify: Bool) -> EventLoopFuture<Void> {
        guard !finished else { return loop.makeSucceededVoidFuture() }
        running = false
        finished = true
        for peer in peers.values {
            if notify { peer.stop(.administrativeShutdown) } else { peer.abandon() }
        }
        peers = [:]
        flushIfPending()
        continuation.finish()
        return closeListeners()
    }

    private func closeListeners() -> EventLoopFuture<Void> {
        let closing = listeners.map { $0.channel.close() }
        listeners = []
        return EventLoopFuture.andAllComplete(closing, on: loop)
    }

    private func listen(on address: BGPAddress) -> EventLoopFuture<Void> {
        let bound = NIOLoopBound(self, eventLoop: loop)
        let port = configuration.listenPort
        return ServerBootstrap(group: loop, childGroup: loop)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                bound.value.accept(channel)
                return channel.eventLoop.makeSucceededVoidFuture()
            }
            .bind(host: address.description, port: port)
            .flatMapErrorThrowing { error in
                throw BGPSpeakerError(operation: "listen on \(address) port \(port)", problem: "\(error)")
            }
            .assumeIsolated().flatMapThrowing { channel in
                self.listeners.append((address, channel))
                try self.installKeys(on: channel, family: address.family)
                try self.setMinimumTTL(on: channel, family: address.family)
                self.logger.info("listening", metadata: ["address": "\(address)", "port": "\(port)"])
            }.nonisolated()
    }

    /// The listener's minimum TTL over the configured peers and dynamic ranges of its family.
    private func setMinimumTTL(on listener: any Channel, family: BGPAddress.Family) throws(BGPSpeakerError) {
        let configurations =
            configuration.peers.map { configuration.effective($0.configuration) }
            + configuration.dynamicNeighbors.filter { $0.prefix.family == family }.map {
                var template = configuration.effective(
                    $0.configuration(
                        for: $0.prefix.address, localAS: configuration.localAS, routerID: configuration.routerID))
                template.peerAddress = $0.prefix.address
                return template
            }
        try BGPSocketOptions.setListenerMinimumTTL(on: listener, family: family, peers: configurations)
    }

    /// Every MD5 key of this listener's family: one per peer with a password, one per range with one.
    private func installKeys(on listener: any Channel, family: BGPAddress.Family) throws(BGPSpeakerError) {
        for peer in configuration.peers where peer.address.family == family {
            guard let password = peer.password else { continue }
            try BGPSocketOptions.setMD5(on: listener, address: peer.address, password: password)
        }
        for range in configuration.dynamicNeighbors where range.prefix.family == family {
            guard let password = range.password else { continue }
            try BGPSocketOptions.setMD5(
                on: listener, address: range.prefix.address, prefixLength: range.prefix.length, password: password)
        }
    }

    /// A connection arrived on a listener. From a configured peer or a dynamic range it is handed to
    /// the peer's session once active; from anywhere else it is closed before a byte is read.
    private func accept(_ channel: any Channel) {
        guard running, let remote = channel.remoteAddress.flatMap(BGPAddress.init(socketAddress:)) else {
            channel.close(promise: nil)
            return
        }
        var session = peers[remote]
        if session == nil, let range = configuration.dynamicNeighbors.first(where: { $0.contains(remote) }) {
            let settings = BGPSpeakerPeer(
                configuration: range.configuration(
                    for: remote, localAS: configuration.localAS, routerID: configuration.routerID),
                password: range.password)
            let dynamic = BGPPeerSession(
                settings: BGPSpeakerPeer(
                    configuration: configuration.effective(settings.configuration), port: settings.port,
                    password: settings.password),
                dynamic: true, restarted: configuration.restarted, speaker: self, logger: logger)
            logger.info("dynamic peer", metadata: ["peer": "\(remote)", "range": "\(range.prefix)"])
            peers[remote] = dynamic
            dynamic.start()
            session = dynamic
        }
        guard let session else {
            logger.debug("refused a connection from an address that is not a peer", metadata: ["address": "\(remote)"])
            channel.close(promise: nil)
            return
        }
        do {
            try BGPSocketOptions.setTTL(
                on: channel, family: remote.family, configuration: session.settings.configuration)
            let handler = BGPChannelHandler(connection: nil)
            handler.onActive = { [weak session] channel in
                guard let session else {
                    channel.close(promise: nil)
                    return
                }
                session.adopt(channel, direction: .incoming)
                channel.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in }
            }
            try channel.pipeline.syncOperations.addHandlers(ByteToMessageHandler(BGPFrameDecoder()), handler)
        } catch {
            logger.error("cannot prepare an accepted connection", metadata: ["peer": "\(remote)", "error": "\(error)"])
            channel.close(promise: nil)
        }
    }

    // MARK: Peers

    private func startPeer(_ peer: BGPSpeakerPeer) {
        let settings = BGPSpeakerPeer(
            configuration: configuration.effective(peer.configuration), port: peer.port, password: peer.password,
            ipv6NextHop: peer.ipv6NextHop)
        let session = BGPPeerSession(
            settings: settings, dynamic: false, restarted: configuration.restarted, speaker: self, logger: logger)
        peers[peer.address] = session
        session.start()
    }

    /// Adds a peer, or replaces a peer of the same address whose settings differ (its session is
    /// reset with Cease / Other Configuration Change).
    func addPeer(_ peer: BGPSpeakerPeer) throws(BGPSpeakerError) {
        do throws(BGPPeerConfigurationError) {
            try configuration.effective(peer.configuration).validate()
        } catch {
            throw BGPSpeakerError(operation: "add peer \(peer.address)", problem: error.description)
        }
        if let existing = configuration.peers.first(where: { $0.address == peer.address }) {
            if existing == peer { return }
            removePeer(peer.address, subcode: .otherConfigurationChange)
        }
        configuration.peers.append(peer)
        for listener in listeners where listener.address.family == peer.address.family {
            try setMinimumTTL(on: listener.channel, family: listener.address.family)
            guard let password = peer.password else { continue }
            try BGPSocketOptions.setMD5(on: listener.channel, address: peer.address, password: password)
        }
        if running { startPeer(peer) }
    }

    /// Removes a configured peer: its session ends with Cease / `subcode` and its routes go.
    func removePeer(_ address: BGPAddress, subcode: BGPNotification.CeaseSubcode = .peerDeconfigured) {
        guard let index = configuration.peers.firstIndex(where: { $0.address == address }) else { return }
        let peer = configuration.peers.remove(at: index)
        peers.removeValue(forKey: address)?.stop(subcode)
        publish(locRIB.peerDown(address, retainedFamilies: []))
        for listener in listeners where listener.address.family == address.family {
            try? setMinimumTTL(on: listener.channel, family: listener.address.family)
        }
        if peer.password != nil {
            for listener in listeners where listener.address.family == address.family {
                try? BGPSocketOptions.setMD5(on: listener.channel, address: address, password: nil)
            }
        }
    }

    /// Drops a dynamic peer whose session ended.
    func forgetDynamicPeer(_ session: BGPPeerSession) {
        guard peers[session.address] === session, session.primary.state.name < .openSent else { return }
        peers[session.address] = nil
        session.abandon()
    }

    // MARK: Routes

    /// Originates routes of this speaker (ORIGIN IGP and an empty AS_PATH unless given).
    func originate(_ routes: [BGPPrefix: PathAttributes]) {
        var changes: [LocRIBChange] = []
        for (prefix, extras) in routes.sorted(by: { $0.key < $1.key }) {
            var attributes = extras
            attributes.origin = attributes.origin ?? .igp
            attributes.asPath = attributes.asPath ?? ASPath()
            changes += locRIB.originate(prefix, attributes: attributes)
        }
        publish(changes)
    }

    /// Stops originating these prefixes.
    func withdraw(_ prefixes: [BGPPrefix]) {
        publish(prefixes.flatMap { locRIB.withdrawOriginated($0) })
    }

    /// Queues best-route changes for the peers and the stream; they go out together once the
    /// current batch of work (a read, an API call) is done, so many changes make few UPDATEs. A
    /// queue of `flushThreshold` goes out at once: one read of a full table can hold 100,000
    /// changes, and holding them all cost 10 MB.
    func publish(_ changes: [LocRIBChange]) {
        guard !changes.isEmpty else { return }
        // Queued as they are: copying a full table's changes into one array was a tenth of its ingest.
        pending.append(changes)
        pendingCount += changes.count
        if pendingCount >= Self.flushThreshold {
            flushIfPending()
            return
        }
        guard !flushScheduled else { return }
        flushScheduled = true
        loop.assumeIsolated().execute { self.flushIfPending() }
    }

    /// Sends the queued changes to every Established peer and to the stream.
    func flushIfPending() {
        flushScheduled = false
        guard !pending.isEmpty else { return }
        let batches = pending
        pending = []
        pendingCount = 0
        for peer in peers.values { peer.advertise(batches) }
        for changes in batches { continuation.yield(changes) }
    }

    // MARK: Queries

    var peerStatuses: [BGPPeerStatus] {
        peers.values.map(\.status).sorted { $0.address < $1.address }
    }

    var bestRoutes: [BGPRoute] { locRIB.bestRoutes }

    func received(from address: BGPAddress) -> [BGPRoute] { locRIB.routes(from: address) }

    func advertised(to address: BGPAddress) -> [BGPAdvertisedRoute] {
        guard let out = peers[address]?.adjRIBOut else { return [] }
        return out.advertised
    }
}
