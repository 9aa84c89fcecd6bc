import BGP
import Logging
import NIOCore
import NIOPosix

/// The BGP speaker the agent runs: it listens for and connects to its peers, keeps the Loc-RIB,
/// advertises its own routes, and reports best-route changes for the kernel.
///
/// Concurrency: every piece of state (`BGPSpeakerCore`, its peers and connections) lives on one
/// NIO event loop, which also runs every socket and timer of the speaker; this type only hops
/// onto that loop, so it is `Sendable` and its methods can be called from any task. Sockets are
/// created on that loop's thread, so a loop whose thread entered a network namespace puts the
/// whole speaker in that namespace.
public final class BGPSpeaker: Sendable {
    /// Batches of best-route changes, in order, for the agent to program the kernel; it ends when
    /// the speaker stops.
    public let bestRouteChanges: AsyncStream<[LocRIBChange]>
    private let loop: any EventLoop
    private let core: NIOLoopBoundBox<BGPSpeakerCore?>

    /// A speaker, not yet started. Without an event loop it takes one of NIO's shared group.
    public init(
        configuration: BGPSpeakerConfiguration, eventLoop: (any EventLoop)? = nil,
        logger: Logger = Logger(label: "rudder.bgp")
    ) throws(BGPSpeakerError) {
        for peer in configuration.peers {
            do throws(BGPPeerConfigurationError) {
                try configuration.effective(peer.configuration).validate()
            } catch {
                throw BGPSpeakerError(operation: "configure peer \(peer.address)", problem: error.description)
            }
        }
        let loop = eventLoop ?? MultiThreadedEventLoopGroup.singleton.next()
        let (stream, continuation) = AsyncStream<[LocRIBChange]>.makeStream()
        self.loop = loop
        self.bestRouteChanges = stream
        self.core = NIOLoopBoundBox.makeBoxSendingValue(nil, as: BGPSpeakerCore?.self, eventLoop: loop)
        let box = core
        loop.execute {
            box.value = BGPSpeakerCore(
                configuration: configuration, loop: loop, continuation: continuation, logger: logger)
        }
    }

    private func onLoop<T: Sendable>(_ body: @escaping @Sendable (BGPSpeakerCore) throws -> T) async throws -> T {
        let box = core
        return try await loop.submit { () throws -> T in
            guard let core = box.value else {
                throw BGPSpeakerError(operation: "use the speaker", problem: "it is not set up")
            }
            return try body(core)
        }.get()
    }

    /// Binds the listeners and starts every peer's session.
    public func start() async throws {
        let box = core
        try await loop.flatSubmit { () -> EventLoopFuture<Void> in
            guard let core = box.value else { return box.eventLoop.makeSucceededVoidFuture() }
            return core.start()
        }.get()
    }

    /// Ends every session with Cease / Administrative Shutdown and closes the listeners. A stopped
    /// speaker cannot start again.
    public func stop() async throws {
        let box = core
        try await loop.flatSubmit { () -> EventLoopFuture<Void> in
            box.value?.stop(notify: true) ?? box.eventLoop.makeSucceededVoidFuture()
        }.get()
    }

    /// Drops every connection without a NOTIFICATION, as a crash would: peers that negotiated
    /// graceful restart keep our routes (stale) until we come back. What the agent does before it
    /// restarts with its routes in the kernel.
    public func stopForRestart() async throws {
        let box = core
        try await loop.flatSubmit { () -> EventLoopFuture<Void> in
            box.value?.stop(notify: false) ?? box.eventLoop.makeSucceededVoidFuture()
        }.get()
    }

    /// Adds a peer, or changes the peer of that address (resetting its session).
    public func addPeer(_ peer: BGPSpeakerPeer) async throws {
        try await onLoop { core in try core.addPeer(peer) }
    }

    /// Removes a peer; its session ends with Cease / Peer De-configured.
    public func removePeer(_ address: BGPAddress) async throws {
        try await onLoop { core in core.removePeer(address) }
    }

    /// Originates routes: each prefix with its extra attributes (communities, large communities,
    /// MED); ORIGIN is IGP and AS_PATH empty unless given.
    public func originate(_ routes: [BGPPrefix: PathAttributes]) async throws {
        try await onLoop { core in core.originate(routes) }
    }

    /// Originates one route.
    public func originate(_ prefix: BGPPrefix, attributes: PathAttributes = PathAttributes()) async throws {
        try await originate([prefix: attributes])
    }

    /// Stops originating these prefixes.
    public func withdraw(_ prefixes: [BGPPrefix]) async throws {
        try await onLoop { core in core.withdraw(prefixes) }
    }

    /// Every peer, with its session state and route counts, in address order.
    public func peers() async throws -> [BGPPeerStatus] {
        try await onLoop { core in core.peerStatuses }
    }

    /// The best route of every prefix (the Loc-RIB), in prefix order.
    public func routes() async throws -> [BGPRoute] {
        try await onLoop { core in core.bestRoutes }
    }

    /// The routes a peer sent that import policy accepted (its Adj-RIB-In), in prefix order.
    public func receivedRoutes(from peer: BGPAddress) async throws -> [BGPRoute] {
        try await onLoop { core in core.received(from: peer) }
    }

    /// The routes advertised to a peer (its Adj-RIB-Out), in prefix order.
    public func advertisedRoutes(to peer: BGPAddress) async throws -> [BGPAdvertisedRoute] {
        try await onLoop { core in core.advertised(to: peer) }
    }
}
