import BGP
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#endif

/// The agent's local control socket: `rudder bgp ...` asks the running agent through it.
///
/// A Unix socket, mode 0600 in a root-owned directory, so only root reaches it. One request line
/// per connection ("bgp peers", "bgp routes", "bgp routes received PEER", "bgp routes advertised
/// PEER", each with " json" at the end for JSON); the answer is text, and the server closes the
/// connection after it.
public final class ControlServer: ServiceLifecycle.Service, Sendable {
    /// Where the socket is made by default.
    public static let defaultPath = "/run/rudder/control.sock"

    private let path: String
    private let control: AgentControl
    private let logger: Logger

    /// A server at `path`; nothing listens until `run`.
    public init(path: String, control: AgentControl, logger: Logger) {
        self.path = path
        self.control = control
        self.logger = logger
    }

    /// Answers one request line.
    public static func answer(_ request: String, control: AgentControl) async -> String {
        var words = request.split(separator: " ").map(String.init)
        let json = words.last == "json"
        if json { words.removeLast() }
        if words == ["cni"] {
            return control.cniConfiguration
                ?? "error: this agent has no conflist to write (podNetwork is off, or the node has no pod CIDR yet)"
        }
        guard words.first == "bgp" else { return "error: unknown request '\(request)'" }
        guard let speaker = control.speaker else { return "error: BGP is not running in this agent" }
        typealias Report = BGPControlReport
        do {
            switch Array(words.dropFirst()) {
            case ["peers"]:
                let peers = try await speaker.peers()
                return json ? Report.peersJSON(peers) : Report.peers(peers)
            case ["routes"]:
                let routes = try await speaker.routes()
                return json ? Report.routesJSON(routes) : Report.routes(routes)
            case let arguments where arguments.count == 3 && arguments[0] == "routes":
                guard let peer = BGPAddress(arguments[2]) else { return "error: '\(arguments[2])' is not an address" }
                switch arguments[1] {
                case "received":
                    let routes = try await speaker.receivedRoutes(from: peer)
                    return json ? Report.routesJSON(routes) : Report.routes(routes)
                case "advertised":
                    let routes = try await speaker.advertisedRoutes(to: peer)
                    return json ? Report.advertisedJSON(routes) : Report.advertised(routes)
                default: return "error: unknown request '\(request)'"
                }
            default:
                return "error: unknown request '\(request)'"
            }
        } catch {
            return "error: \(error)"
        }
    }

    /// Listens until graceful shutdown or cancellation.
    public func run() async throws {
        let directory = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        if !directory.isEmpty { mkdir(directory, 0o700) }
        let control = self.control
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.pipeline.addHandler(ControlHandler(control: control))
            }
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
        chmod(path, 0o600)
        logger.info("control socket listening", metadata: ["path": "\(path)"])
        try await channel.serveUntilShutdown()
        unlink(path)
    }
}

/// Reads one request line, answers it, closes.
private final class ControlHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private let control: AgentControl
    private let buffer = NIOLockedValueBox<[UInt8]>([])

    init(control: AgentControl) {
        self.control = control
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        let received = bytes.readBytes(length: bytes.readableBytes) ?? []
        let line: String? = buffer.withLockedValue { buffer in
            buffer += received
            guard let end = buffer.firstIndex(of: UInt8(ascii: "\n")) else {
                return buffer.count > 4096 ? "" : nil
            }
            return String(decoding: buffer[..<end], as: UTF8.self)
        }
        guard let line else { return }
        let control = self.control
        let loop = context.eventLoop
        let bound = NIOLoopBound(context, eventLoop: loop)
        let promise = loop.makePromise(of: String.self)
        promise.completeWithTask { await ControlServer.answer(line, control: control) }
        promise.futureResult.whenSuccess { answer in
            let channel = bound.value.channel
            bound.value.writeAndFlush(NIOAny(ByteBuffer(string: answer + "\n"))).whenComplete { _ in
                channel.close(promise: nil)
            }
        }
    }
}
