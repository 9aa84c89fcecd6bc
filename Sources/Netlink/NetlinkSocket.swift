import CNetlink
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A netlink socket opened through libnl in a chosen network namespace, freed with the object.
///
/// Calls block; they are serialised by a lock and belong on a dedicated thread
/// (`NetlinkExecutor`), never on Swift's cooperative pool.
public final class NetlinkSocket: @unchecked Sendable {
    /// Netlink protocol families Rudder opens.
    public enum Family: Int32, Sendable {
        case route = 0
        case generic = 16
    }

    /// The result of a batch: the failures by request index, and whether reports were lost.
    public struct BatchResult: Sendable {
        /// Failures keyed by the index of the request in the batch.
        public var failures: [Int: NetlinkError] = [:]
        /// True when the kernel dropped error reports (ENOBUFS): the caller must re-read state.
        public var reportsLost = false
    }

    let handle: OpaquePointer
    let fd: Int32
    /// The namespace the socket lives in.
    public let namespace: NetworkNamespace
    private let lock = Mutex<UInt32>(0x4000_0000)
    private let writes = Atomic<Int>(0)

    /// How many messages per sendmsg in a batch: large enough to amortise the system call,
    /// small enough that a batch of errors always fits the receive buffer.
    public static let batchSize = 256

    /// Opens and connects a socket of `family` inside `namespace`.
    public init(family: Family = .route, namespace: NetworkNamespace = .current) throws {
        let opened: OpaquePointer = try namespace.run {
            guard let socket = nl_socket_alloc() else {
                throw NetlinkError(operation: "allocate netlink socket", errno: ENOMEM)
            }
            let code = nl_connect(socket, family.rawValue)
            if code < 0 {
                nl_socket_free(socket)
                throw NetlinkError(operation: "connect netlink socket in namespace \(namespace)", libnlCode: code)
            }
            return socket
        }
        handle = opened
        fd = nl_socket_get_fd(opened)
        self.namespace = namespace
        nl_socket_disable_seq_check(opened)
        nl_socket_disable_auto_ack(opened)
        _ = nl_socket_set_buffer_size(opened, 4 << 20, 4 << 20)
        var on: Int32 = 1
        // Extended acks carry the kernel's reason; capped acks keep error reports small.
        for option in [11 /* NETLINK_EXT_ACK */, 10 /* NETLINK_CAP_ACK */] {
            _ = setsockopt(fd, 270 /* SOL_NETLINK */, Int32(option), &on, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    deinit {
        nl_socket_free(handle)
    }

    /// How many state-changing messages this socket has sent (adds, replaces, deletes).
    public var writesSent: Int { writes.load(ordering: .relaxed) }

    /// Runs `body` with exclusive use of the libnl handle.
    public func withHandle<T>(_ body: (OpaquePointer) throws -> T) rethrows -> T {
        try lock.withLock { _ in try body(handle) }
    }

    /// Counts writes made through libnl's own calls (links, addresses).
    func countWrite(_ count: Int = 1) {
        writes.add(count, ordering: .relaxed)
    }

    /// Sends requests many to a sendmsg without asking for acks, then reads back only errors.
    ///
    /// The kernel handles rtnetlink and generic netlink requests synchronously inside sendmsg,
    /// so once it returns every error for that chunk is already queued on the socket.
    /// `describe` names request i in its error; it runs only for failures, because formatting
    /// addresses for every request would cost more than sending them.
    public func sendBatch(
        _ requests: [NetlinkMessage], countsAsWrites: Bool = true, describe: (Int) -> String
    ) -> BatchResult {
        lock.withLock { sequence in
            var result = BatchResult()
            var start = 0
            while start < requests.count {
                let end = min(start + Self.batchSize, requests.count)
                var buffer: [UInt8] = []
                var indexBySequence: [UInt32: Int] = [:]
                for index in start..<end {
                    var message = requests[index]
                    sequence &+= 1
                    message.sequence = sequence
                    message.flags = (message.flags & ~0x4) | 0x1  // NLM_F_REQUEST, no NLM_F_ACK: silence is success
                    indexBySequence[sequence] = index
                    buffer.append(contentsOf: message.bytes)
                    buffer.append(contentsOf: repeatElement(0, count: (4 - message.bytes.count % 4) % 4))
                }
                let sent = buffer.withUnsafeBytes { raw in sendAll(raw) }
                if sent != 0 {
                    for index in start..<end {
                        result.failures[index] = NetlinkError(operation: describe(index), errno: sent)
                    }
                } else if countsAsWrites {
                    writes.add(end - start, ordering: .relaxed)
                }
                drainErrors { seq, report in
                    if let index = indexBySequence[seq] {
                        result.failures[index] = NetlinkError(
                            operation: describe(index), errno: report.errno, kernelMessage: report.message)
                    }
                } lost: {
                    result.reportsLost = true
                }
                start = end
            }
            return result
        }
    }

    /// Sends one request and collects its replies: a dump's messages, or nothing for an ack.
    ///
    /// `strict` turns on NETLINK_GET_STRICT_CHK for this request only, so the kernel filters a
    /// dump by the header's fields; libnl's own dumps send short headers that strict mode refuses.
    public func request(
        _ message: NetlinkMessage, operation: String, isWrite: Bool = false, strict: Bool = false
    ) throws -> [NetlinkMessage] {
        try lock.withLock { sequence in
            if strict { setStrictChecking(true) }
            defer { if strict { setStrictChecking(false) } }
            var message = message
            sequence &+= 1
            message.sequence = sequence
            message.flags |= 0x1 | 0x4  // NLM_F_REQUEST | NLM_F_ACK
            let expected = sequence
            let sent = message.bytes.withUnsafeBytes { sendAll($0) }
            if sent != 0 { throw NetlinkError(operation: operation, errno: sent) }
            if isWrite { writes.add(1, ordering: .relaxed) }
            var replies: [NetlinkMessage] = []
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if count < 0 {
                    let code = Glibc.errno
                    if code == EINTR { continue }
                    throw NetlinkError(operation: operation, errno: code)
                }
                let messages = buffer.withUnsafeBytes {
                    NetlinkMessage.split(UnsafeRawBufferPointer(rebasing: $0[0..<count]))
                }
                for reply in messages where reply.sequence == expected {
                    switch reply.type {
                    case 3:  // NLMSG_DONE
                        return replies
                    case 2:  // NLMSG_ERROR: an ack when errno is 0
                        let report = reply.errorReport ?? (EPROTO, nil)
                        if report.errno == 0 { return replies }
                        throw NetlinkError(operation: operation, errno: report.errno, kernelMessage: report.message)
                    default:
                        replies.append(reply)
                    }
                }
            }
        }
    }

    private func setStrictChecking(_ on: Bool) {
        var value: Int32 = on ? 1 : 0
        _ = setsockopt(
            fd, 270 /* SOL_NETLINK */, 12 /* NETLINK_GET_STRICT_CHK */, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    private func sendAll(_ raw: UnsafeRawBufferPointer) -> Int32 {
        while true {
            if send(fd, raw.baseAddress, raw.count, 0) >= 0 { return 0 }
            let code = Glibc.errno
            if code != EINTR { return code }
        }
    }

    private func drainErrors(_ report: (UInt32, (errno: Int32, message: String?)) -> Void, lost: () -> Void) {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count < 0 {
                let code = Glibc.errno
                if code == EINTR { continue }
                if code == ENOBUFS {
                    lost()
                    continue
                }
                return
            }
            buffer.withUnsafeBytes { raw in
                for message in NetlinkMessage.split(UnsafeRawBufferPointer(rebasing: raw[0..<count])) {
                    if let error = message.errorReport, error.errno != 0 {
                        report(message.sequence, error)
                    }
                }
            }
        }
    }
}
