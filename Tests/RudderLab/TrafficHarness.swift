import Foundation
import Netlink
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

// Servers and clients for dataplane tests that pass real packets between network namespaces.
//
// A socket belongs to the namespace it was created in for its whole life, so each socket is
// created on a thread that has entered its namespace (`NetworkNamespace.run`) and is then used
// from any thread. One process can thus listen in two backend namespaces and connect from a
// client namespace at the same time.
//
// Every socket has receive and send timeouts: a broken dataplane makes a call throw instead of
// hanging the test. Servers reply with their own name, so a client learns which backend answered.

/// A socket call of a traffic test that failed, with the errno it set.
public struct TrafficError: Error, CustomStringConvertible, Sendable {
    /// What was attempted, such as "connect to 10.96.0.10:80".
    public var operation: String
    /// The errno, or 0 when no system call failed (the peer closed early, a reply was garbled).
    public var errno: Int32

    /// A failure of `operation`.
    public init(operation: String, errno: Int32 = 0) {
        self.operation = operation
        self.errno = errno
    }

    /// The operation and, for a failed system call, the errno's message.
    public var description: String {
        errno == 0 ? operation : "\(operation): \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

/// An IPv4 or IPv6 address with a port: where a socket connects to or binds.
public struct SocketEndpoint: Hashable, Sendable, CustomStringConvertible {
    /// The address in text form ("10.96.0.10", "fd00::10").
    public var address: String
    /// The port.
    public var port: UInt16

    /// An endpoint; the address is checked when a socket uses it.
    public init(_ address: String, port: UInt16) {
        self.address = address
        self.port = port
    }

    /// "10.96.0.10:80" or "[fd00::10]:80".
    public var description: String { isIPv6 ? "[\(address)]:\(port)" : "\(address):\(port)" }

    var isIPv6: Bool { address.contains(":") }

    var family: Int32 { isIPv6 ? AF_INET6 : AF_INET }

    /// Calls `body` with this endpoint as a socket address.
    func withSocketAddress<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) throws -> Result {
        if isIPv6 {
            var socketAddress = sockaddr_in6()
            socketAddress.sin6_family = sa_family_t(AF_INET6)
            socketAddress.sin6_port = port.bigEndian
            guard inet_pton(AF_INET6, address, &socketAddress.sin6_addr) == 1 else {
                throw TrafficError(operation: "parse IPv6 address \(address)")
            }
            return withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    body($0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        }
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = port.bigEndian
        guard inet_pton(AF_INET, address, &socketAddress.sin_addr) == 1 else {
            throw TrafficError(operation: "parse IPv4 address \(address)")
        }
        return withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                body($0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }
}

// MARK: - Servers

/// A TCP server in a network namespace that names itself and echoes lines.
///
/// Each accepted connection gets "NAME\n" at once, then "NAME LINE\n" for every line the client
/// sends, until the client closes or resets it. A held connection therefore keeps telling which
/// backend serves it.
public final class TCPNameServer: Sendable {
    /// The name sent to clients.
    public let name: String
    /// Where it listens.
    public let endpoint: SocketEndpoint
    private let listener: SocketDescriptor
    private let workers = WorkerThreads()
    private let accepted = SharedCounter()

    /// Listens on `endpoint` inside `namespace` and starts accepting at once.
    public init(name: String, endpoint: SocketEndpoint, namespace: NetworkNamespace) throws {
        self.name = name
        self.endpoint = endpoint
        let listener = try SocketDescriptor.open(
            family: endpoint.family, type: SOCK_STREAM, in: namespace, purpose: "TCP listener \(endpoint)")
        try listener.setTimeouts(receive: WorkerThreads.pollInterval, send: .seconds(5))
        var yes: Int32 = 1
        guard setsockopt(listener.fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw TrafficError(operation: "set SO_REUSEADDR on \(endpoint)", errno: errno)
        }
        try listener.bind(endpoint)
        guard listen(listener.fd, 64) == 0 else { throw TrafficError(operation: "listen on \(endpoint)", errno: errno) }
        self.listener = listener
        workers.start { [listener, workers, accepted, name] in
            Self.acceptLoop(listener: listener, workers: workers, accepted: accepted, name: name)
        }
    }

    deinit {
        stop()
    }

    /// How many connections it has accepted so far.
    public var acceptedConnections: Int { accepted.value }

    /// Stops accepting, ends every connection and waits for its threads; calling it again does nothing.
    public func stop() {
        workers.stopAndWait()
        listener.close()
    }

    private static func acceptLoop(
        listener: SocketDescriptor, workers: WorkerThreads, accepted: SharedCounter, name: String
    ) {
        while !workers.isStopping {
            let fd = accept(listener.fd, nil, nil)
            guard fd >= 0 else {
                // The receive timeout makes accept return now and then, to notice a stop.
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { continue }
                return
            }
            // Glibc's module map hides accept4; the commands a test runs meanwhile must not inherit it.
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            let connection = SocketDescriptor(fd: fd)
            guard (try? connection.setTimeouts(receive: WorkerThreads.pollInterval, send: .seconds(5))) != nil else {
                continue
            }
            accepted.increment()
            workers.start { [workers] in serve(connection, name: name, workers: workers) }
        }
    }

    private static func serve(_ connection: SocketDescriptor, name: String, workers: WorkerThreads) {
        defer { connection.close() }
        guard (try? connection.sendAll(Array("\(name)\n".utf8))) != nil else { return }
        var pending: [UInt8] = []
        while !workers.isStopping {
            switch connection.receive() {
            case .data(let bytes):
                pending += bytes
                while let line = takeLine(from: &pending) {
                    guard (try? connection.sendAll(Array("\(name) \(line)\n".utf8))) != nil else { return }
                }
            case .timedOut:
                continue
            case .closed, .failed:
                return
            }
        }
    }
}

/// A UDP server in a network namespace that answers every datagram with "NAME PAYLOAD".
public final class UDPNameServer: Sendable {
    /// The name put in front of every reply.
    public let name: String
    /// Where it listens.
    public let endpoint: SocketEndpoint
    private let socket: SocketDescriptor
    private let workers = WorkerThreads()

    /// Binds `endpoint` inside `namespace` and starts answering at once.
    public init(name: String, endpoint: SocketEndpoint, namespace: NetworkNamespace) throws {
        self.name = name
        self.endpoint = endpoint
        let socket = try SocketDescriptor.open(
            family: endpoint.family, type: SOCK_DGRAM, in: namespace, purpose: "UDP server \(endpoint)")
        try socket.setTimeouts(receive: WorkerThreads.pollInterval, send: .seconds(5))
        try socket.bind(endpoint)
        self.socket = socket
        workers.start { [socket, workers, name] in Self.answerLoop(socket: socket, workers: workers, name: name) }
    }

    deinit {
        stop()
    }

    /// Stops answering and waits for its thread; calling it again does nothing.
    public func stop() {
        workers.stopAndWait()
        socket.close()
    }

    private static func answerLoop(socket: SocketDescriptor, workers: WorkerThreads, name: String) {
        var buffer = [UInt8](repeating: 0, count: 2048)
        while !workers.isStopping {
            var sender = sockaddr_storage()
            var senderLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let count = buffer.withUnsafeMutableBytes { bytes in
                withUnsafeMutablePointer(to: &sender) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(socket.fd, bytes.baseAddress, bytes.count, 0, $0, &senderLength)
                    }
                }
            }
            guard count >= 0 else {
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { continue }
                return
            }
            let payload = String(decoding: buffer[0..<count], as: UTF8.self)
            let reply = Array("\(name) \(payload)".utf8)
            _ = reply.withUnsafeBytes { bytes in
                withUnsafePointer(to: &sender) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(socket.fd, bytes.baseAddress, bytes.count, 0, $0, senderLength)
                    }
                }
            }
        }
    }
}

// MARK: - Clients

/// A TCP connection opened from inside a network namespace, read line by line.
public final class TCPConnection: Sendable {
    /// Where it is connected.
    public let endpoint: SocketEndpoint
    /// How long a read or write may wait.
    public let timeout: Duration
    private let socket: SocketDescriptor
    private let pending = Mutex<[UInt8]>([])

    /// Connects to `endpoint` from `namespace`; throws when no connection is made within `timeout`.
    public init(to endpoint: SocketEndpoint, from namespace: NetworkNamespace, timeout: Duration = .seconds(5)) throws {
        self.endpoint = endpoint
        self.timeout = timeout
        socket = try SocketDescriptor.open(
            family: endpoint.family, type: SOCK_STREAM, in: namespace, purpose: "TCP client to \(endpoint)")
        // SO_SNDTIMEO also bounds a blocking connect.
        try socket.setTimeouts(receive: timeout, send: timeout)
        let result = try endpoint.withSocketAddress { connect(socket.fd, $0, $1) }
        guard result == 0 else {
            let operation = "connect to \(endpoint) from namespace \(namespace)"
            // A blocking connect that hits SO_SNDTIMEO reports EINPROGRESS, which reads like a bug.
            if errno == EINPROGRESS { throw TrafficError(operation: "\(operation): no answer within \(timeout)") }
            throw TrafficError(operation: operation, errno: errno)
        }
    }

    deinit {
        close()
    }

    /// Connects, reads the greeting line (a `TCPNameServer`'s name) and closes.
    public static func greeting(
        from namespace: NetworkNamespace, to endpoint: SocketEndpoint, timeout: Duration = .seconds(5)
    ) throws -> String {
        let connection = try TCPConnection(to: endpoint, from: namespace, timeout: timeout)
        defer { connection.close() }
        return try connection.readLine()
    }

    /// The next line the peer sent, without its newline.
    public func readLine() throws -> String {
        try pending.withLock { (buffer: inout [UInt8]) throws -> String in
            while true {
                if let line = takeLine(from: &buffer) { return line }
                switch socket.receive() {
                case .data(let bytes):
                    buffer += bytes
                case .timedOut:
                    throw TrafficError(operation: "read a line from \(endpoint) within \(timeout)", errno: EAGAIN)
                case .closed:
                    throw TrafficError(operation: "read a line from \(endpoint): closed by the peer")
                case .failed(let error):
                    throw TrafficError(operation: "read a line from \(endpoint)", errno: error)
                }
            }
        }
    }

    /// Sends `line` and a newline.
    public func send(line: String) throws {
        try socket.sendAll(Array("\(line)\n".utf8), to: endpoint)
    }

    /// Sends `line` and returns the line the peer answers with.
    public func exchange(_ line: String) throws -> String {
        try send(line: line)
        return try readLine()
    }

    /// Closes the connection with a FIN; calling it again does nothing.
    public func close() {
        socket.close()
    }

    /// Closes the connection with a RST instead of a FIN.
    ///
    /// An orderly close leaves the IPVS connection entry in TIME_WAIT for two minutes, where it
    /// still counts as an inactive connection of its real server; after a reset the entry is in
    /// CLOSE, which expires after ten seconds.
    public func reset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(socket.fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        socket.close()
    }
}

/// One-shot UDP exchanges from inside a network namespace.
public enum UDPExchange {
    /// Sends `message` from a fresh socket in `namespace` to `endpoint` and returns the reply.
    ///
    /// `localPort` binds the client's port; give each exchange its own when they must count as
    /// separate IPVS connections (a reused port within the UDP timeout reuses the entry and its
    /// real server).
    public static func send(
        _ message: String, to endpoint: SocketEndpoint, from namespace: NetworkNamespace, localPort: UInt16 = 0,
        timeout: Duration = .seconds(5)
    ) throws -> String {
        let socket = try SocketDescriptor.open(
            family: endpoint.family, type: SOCK_DGRAM, in: namespace, purpose: "UDP client to \(endpoint)")
        defer { socket.close() }
        try socket.setTimeouts(receive: timeout, send: timeout)
        try socket.bind(SocketEndpoint(endpoint.isIPv6 ? "::" : "0.0.0.0", port: localPort))
        // Connected, so that only the service's (de-NATed) replies arrive and a refusal is reported.
        let connected = try endpoint.withSocketAddress { connect(socket.fd, $0, $1) }
        guard connected == 0 else { throw TrafficError(operation: "connect UDP socket to \(endpoint)", errno: errno) }
        try socket.sendAll(Array(message.utf8), to: endpoint)
        switch socket.receive() {
        case .data(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .timedOut: throw TrafficError(operation: "UDP reply from \(endpoint) within \(timeout)", errno: EAGAIN)
        case .closed: throw TrafficError(operation: "UDP reply from \(endpoint): empty datagram")
        case .failed(let error): throw TrafficError(operation: "UDP reply from \(endpoint)", errno: error)
        }
    }
}

// MARK: - Plumbing

/// What one receive call brought.
enum ReceiveOutcome {
    case data([UInt8])
    case timedOut
    case closed
    case failed(Int32)
}

/// A socket descriptor that is closed exactly once.
final class SocketDescriptor: Sendable {
    let fd: Int32
    private let isClosed = Atomic<Bool>(false)

    init(fd: Int32) {
        self.fd = fd
    }

    deinit {
        close()
    }

    /// A new socket created inside `namespace`, where it stays.
    static func open(
        family: Int32, type: __socket_type, in namespace: NetworkNamespace, purpose: String
    ) throws -> SocketDescriptor {
        let fd = try namespace.run { () throws -> Int32 in
            let fd = socket(family, Int32(type.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw TrafficError(operation: "create \(purpose) in \(namespace)", errno: errno) }
            return fd
        }
        return SocketDescriptor(fd: fd)
    }

    func setTimeouts(receive: Duration, send: Duration) throws {
        for (option, limit) in [(SO_RCVTIMEO, receive), (SO_SNDTIMEO, send)] {
            let (seconds, attoseconds) = limit.components
            var value = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
            guard setsockopt(fd, SOL_SOCKET, option, &value, socklen_t(MemoryLayout<timeval>.size)) == 0 else {
                throw TrafficError(operation: "set socket timeout", errno: errno)
            }
        }
    }

    func bind(_ endpoint: SocketEndpoint) throws {
        let result = try endpoint.withSocketAddress { Glibc.bind(fd, $0, $1) }
        guard result == 0 else { throw TrafficError(operation: "bind \(endpoint)", errno: errno) }
    }

    func receive(maximum: Int = 4096) -> ReceiveOutcome {
        var buffer = [UInt8](repeating: 0, count: maximum)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 { return .data(Array(buffer[0..<count])) }
            if count == 0 { return .closed }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .timedOut
            case let error: return .failed(error)
            }
        }
    }

    func sendAll(_ bytes: [UInt8], to peer: SocketEndpoint? = nil) throws {
        var offset = 0
        while offset < bytes.count {
            // MSG_NOSIGNAL: a peer that reset the connection must give EPIPE, not kill the test with SIGPIPE.
            let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 {
                if errno == EINTR { continue }
                throw TrafficError(operation: "send to \(peer.map { "\($0)" } ?? "peer")", errno: errno)
            }
            offset += sent
        }
    }

    func close() {
        guard !isClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        _ = Glibc.close(fd)
    }
}

/// The threads of one server: started one by one, told to stop together, and waited for.
final class WorkerThreads: Sendable {
    /// How often a server thread looks up from a blocking call to check for a stop.
    static let pollInterval = Duration.milliseconds(100)

    private struct State {
        var running = 0
        var stopping = false
    }

    private let state = Mutex(State())

    var isStopping: Bool { state.withLock { $0.stopping } }

    /// Runs `body` on a new thread, unless the group is stopping.
    func start(_ body: @escaping @Sendable () -> Void) {
        let admitted = state.withLock { state in
            guard !state.stopping else { return false }
            state.running += 1
            return true
        }
        guard admitted else { return }
        Thread.detachNewThread { [self] in
            body()
            state.withLock { $0.running -= 1 }
        }
    }

    /// Tells every thread to stop and waits for them, at most `limit`; false when some still run.
    @discardableResult
    func stopAndWait(limit: Duration = .seconds(10)) -> Bool {
        state.withLock { $0.stopping = true }
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if state.withLock({ $0.running }) == 0 { return true }
            usleep(5_000)
        }
        return false
    }
}

/// A counter shared between a server and its threads.
final class SharedCounter: Sendable {
    private let count = Atomic<Int>(0)

    var value: Int { count.load(ordering: .acquiring) }

    func increment() {
        count.add(1, ordering: .releasing)
    }
}

/// Removes the first line from `buffer` and returns it without its newline; nil when no line is complete.
func takeLine(from buffer: inout [UInt8]) -> String? {
    guard let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
    let line = String(decoding: buffer[..<newline], as: UTF8.self)
    buffer.removeSubrange(...newline)
    return line
}
