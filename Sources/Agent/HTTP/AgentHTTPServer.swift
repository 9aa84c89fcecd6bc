import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// The agent's HTTP endpoints (`/healthz`, `/readyz`, `/metrics`), served by SwiftNIO.
///
/// It answers from state that the controllers keep current, so a request never waits on the
/// API server or the kernel. Routes run on NIO's blocking thread pool, not on the event loop:
/// a `/metrics` scrape reads cgroup and /proc files.
public final class AgentHTTPServer: ServiceLifecycle.Service, Sendable {
    /// One response.
    public struct Response: Sendable {
        /// The HTTP status code.
        public var status: Int
        /// The Content-Type.
        public var contentType: String
        /// The body.
        public var body: [UInt8]

        /// A response with a text body.
        public init(status: Int, contentType: String = "text/plain; charset=utf-8", body: String) {
            self.init(status: status, contentType: contentType, bytes: Array(body.utf8))
        }

        /// A response with a body of bytes.
        public init(status: Int, contentType: String, bytes: [UInt8]) {
            self.status = status
            self.contentType = contentType
            self.body = bytes
        }
    }

    /// Answers a GET for a path; nil means 404.
    public typealias Route = @Sendable (_ path: String) -> Response?

    private let host: String
    private let port: Int
    private let route: Route
    private let logger: Logger
    private let bound = NIOLockedValueBox<Int?>(nil)

    /// A server for `host:port` (port 0 picks a free one); nothing listens until `run`.
    public init(host: String, port: Int, logger: Logger, route: @escaping Route) {
        self.host = host
        self.port = port
        self.route = route
        self.logger = logger
    }

    /// The routes of the health endpoints over `health`.
    public static func healthRoutes(_ health: HealthState) -> Route {
        { path in
            switch path {
            case "/healthz", "/livez":
                Response(status: health.isAlive ? 200 : 500, body: health.report(readiness: false))
            case "/readyz":
                Response(status: health.isReady ? 200 : 503, body: health.report(readiness: true))
            default:
                nil
            }
        }
    }

    /// The health routes, and `/metrics` over `metrics`.
    public static func agentRoutes(_ health: HealthState, metrics: AgentMetrics) -> Route {
        let healthRoutes = healthRoutes(health)
        return { path in
            guard path == "/metrics" else { return healthRoutes(path) }
            return Response(
                status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", bytes: metrics.render())
        }
    }

    /// The port bound, once `run` has bound it.
    public var boundPort: Int? { bound.withLockedValue { $0 } }

    /// Listens until graceful shutdown or cancellation.
    public func run() async throws {
        let route = self.route
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMap {
                    channel.pipeline.addHandler(HTTPRouteHandler(route: route))
                }
            }
            .bind(host: host, port: port).get()
        bound.withLockedValue { $0 = channel.localAddress?.port }
        logger.info("HTTP endpoints listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
        try await channel.serveUntilShutdown()
    }
}

/// Answers each request from the route table; only GET and HEAD are served.
private final class HTTPRouteHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let route: AgentHTTPServer.Route

    init(route: @escaping AgentHTTPServer.Route) { self.route = route }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data) else { return }
        let path = String(head.uri.split(separator: "?", maxSplits: 1).first ?? "")
        guard head.method == .GET || head.method == .HEAD else {
            respond(.init(status: 405, body: "only GET is served\n"), to: head, context: context)
            return
        }
        let route = self.route
        let answer = NIOThreadPool.singleton.runIfActive(eventLoop: context.eventLoop) {
            route(path) ?? .init(status: 404, body: "not found: \(path)\n")
        }
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        answer.whenComplete { result in
            let response = (try? result.get()) ?? .init(status: 503, body: "shutting down\n")
            bound.value.handler.respond(response, to: head, context: bound.value.context)
        }
    }

    private func respond(
        _ response: AgentHTTPServer.Response, to head: HTTPRequestHead, context: ChannelHandlerContext
    ) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: "\(response.body.count)")
        headers.add(name: "Cache-Control", value: "no-store")
        let keepAlive = head.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let status = HTTPResponseStatus(statusCode: response.status)
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))),
            promise: nil)
        if head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: response.body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
