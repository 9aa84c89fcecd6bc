import CNetlink

#if canImport(Glibc)
    import Glibc
#endif

/// Streams kernel link, address and route changes from rtnetlink multicast groups.
public enum NetlinkMonitor {
    /// Joins `groups` in `namespace` before returning, then delivers events until the stream ends.
    ///
    /// Subscribing first means a caller that reads the kernel's state after this returns
    /// misses no change. A dedicated thread reads the socket; ending iteration stops it.
    public static func events(
        namespace: NetworkNamespace = .current, groups: Set<NetlinkEventGroup> = Set(NetlinkEventGroup.allCases)
    ) throws -> AsyncStream<NetlinkEvent> {
        let socket = try NetlinkSocket(family: .route, namespace: namespace)
        for group in groups {
            try socket.withHandle { handle in
                try NetlinkError.check(
                    nl_socket_add_membership(handle, Int32(group.rawValue)), "join rtnetlink group \(group)")
            }
        }
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0 else {
            throw NetlinkError(operation: "create monitor stop pipe", errno: errno)
        }
        for descriptor in pipeFDs { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        let (stream, continuation) = AsyncStream<NetlinkEvent>.makeStream(bufferingPolicy: .unbounded)
        let reader = MonitorReader(socket: socket, stopFD: pipeFDs[0], continuation: continuation)
        let stopWriter = pipeFDs[1]
        continuation.onTermination = { _ in
            var byte: UInt8 = 1
            _ = write(stopWriter, &byte, 1)
            close(stopWriter)
        }
        var thread = pthread_t()
        let context = Unmanaged.passRetained(reader).toOpaque()
        let created = pthread_create(
            &thread, nil,
            { raw in
                let reader = Unmanaged<MonitorReader>.fromOpaque(raw!).takeRetainedValue()
                reader.loop()
                return nil
            }, context)
        guard created == 0 else {
            Unmanaged<MonitorReader>.fromOpaque(context).release()
            throw NetlinkError(operation: "start monitor thread", errno: created)
        }
        pthread_detach(thread)
        return stream
    }

    /// Decodes one rtnetlink message into an event; nil for what is not modelled.
    public static func event(from message: NetlinkMessage) -> NetlinkEvent? {
        switch Int(message.type) {
        case Int(RTM_NEWROUTE): return Rtnetlink.parseRoute(message).map(NetlinkEvent.routeAdded)
        case Int(RTM_DELROUTE): return Rtnetlink.parseRoute(message).map(NetlinkEvent.routeDeleted)
        case Int(RTM_NEWLINK): return withParsedObject(message) { .linkChanged(Rtnetlink.link(from: $0)) }
        case Int(RTM_DELLINK): return withParsedObject(message) { .linkDeleted(Rtnetlink.link(from: $0)) }
        case Int(RTM_NEWADDR):
            return withParsedObject(message) { Rtnetlink.address(from: $0).map(NetlinkEvent.addressAdded) }
        case Int(RTM_DELADDR):
            return withParsedObject(message) { Rtnetlink.address(from: $0).map(NetlinkEvent.addressDeleted) }
        default: return nil
        }
    }

    /// Lets libnl's cache parsers turn a message into an object, and converts it while it lives.
    private static func withParsedObject<T>(_ message: NetlinkMessage, _ convert: (OpaquePointer) -> T?) -> T? {
        var bytes = message.bytes
        let box = ParsedObject()
        bytes.withUnsafeMutableBytes { raw in
            let header = raw.baseAddress!.assumingMemoryBound(to: nlmsghdr.self)
            guard let converted = nlmsg_convert(header) else { return }
            defer { nlmsg_free(converted) }
            // libnl picks the parser by protocol and type; a converted message has no protocol yet.
            nlmsg_set_proto(converted, 0 /* NETLINK_ROUTE */)
            _ = nl_msg_parse(
                converted,
                { object, context in
                    let box = Unmanaged<ParsedObject>.fromOpaque(context!).takeUnretainedValue()
                    if box.object == nil, let object {
                        nl_object_get(object)
                        box.object = object
                    }
                }, Unmanaged.passUnretained(box).toOpaque())
        }
        return box.object.flatMap(convert)
    }
}

/// Holds the object libnl parsed, and drops the reference when it goes.
private final class ParsedObject {
    var object: OpaquePointer?
    deinit { if let object { nl_object_put(object) } }
}

/// Owns the monitor's socket and stop pipe for the reading thread's lifetime.
private final class MonitorReader: @unchecked Sendable {
    let socket: NetlinkSocket
    let stopFD: Int32
    let continuation: AsyncStream<NetlinkEvent>.Continuation

    init(socket: NetlinkSocket, stopFD: Int32, continuation: AsyncStream<NetlinkEvent>.Continuation) {
        self.socket = socket
        self.stopFD = stopFD
        self.continuation = continuation
    }

    func loop() {
        defer {
            close(stopFD)
            continuation.finish()
        }
        var buffer = [UInt8](repeating: 0, count: 1 << 17)
        var descriptors = [
            pollfd(fd: socket.fd, events: Int16(POLLIN), revents: 0),
            pollfd(fd: stopFD, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            let ready = poll(&descriptors, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return
            }
            if descriptors[1].revents != 0 { return }
            guard descriptors[0].revents != 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { recv(socket.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count < 0 {
                switch errno {
                case EINTR, EAGAIN: continue
                case ENOBUFS: continuation.yield(.overrun)
                default: return
                }
                continue
            }
            let messages = buffer.withUnsafeBytes {
                NetlinkMessage.split(UnsafeRawBufferPointer(rebasing: $0[0..<count]))
            }
            for message in messages {
                if let event = NetlinkMonitor.event(from: message) {
                    continuation.yield(event)
                }
            }
        }
    }
}
