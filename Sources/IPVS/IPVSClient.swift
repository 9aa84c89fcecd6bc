import Netlink

#if canImport(Glibc)
    import Glibc
#endif

/// Reads and changes the kernel's IPVS table in one network namespace over generic netlink.
///
/// Calls block; run them on a `NetlinkExecutor`, never on the cooperative pool. There is no way
/// to flush the table here: Rudder only deletes services and real servers it names.
public final class IPVSClient: Sendable {
    /// The resolved IPVS family.
    public let family: GenericNetlinkFamily
    private let netlink: GenericNetlink

    /// Opens a generic netlink socket in `namespace` and resolves the IPVS family.
    ///
    /// Throws `IPVSError.unavailable` when the kernel has no IPVS there.
    public init(namespace: NetworkNamespace = .current) throws {
        netlink = try GenericNetlink(namespace: namespace)
        do {
            family = try netlink.resolveFamily(IPVSMessage.familyName)
        } catch let error as NetlinkError where error.errno == ENOENT {
            throw IPVSError.unavailable(namespace: namespace, cause: error)
        }
    }

    /// How many state-changing messages this client has sent.
    public var writesSent: Int { netlink.socket.writesSent }

    /// Every service in the namespace, with statistics.
    ///
    /// Services of protocols Rudder does not model (AH, ESP) are left out: they cannot be its own.
    public func services() throws -> [IPVSVirtualService] {
        let operation = "list IPVS services"
        return try request(IPVSMessage.servicesRequest(), dump: true, operation: operation).compactMap { reply in
            switch IPVSMessage.serviceDecoding(reply) {
            case .service(let service): return service
            case .unsupportedProtocol: return nil
            case .malformed: throw IPVSError.malformedReply(operation: operation)
            }
        }
    }

    /// One service, or nil when it does not exist.
    public func service(_ key: IPVSServiceKey) throws -> IPVSVirtualService? {
        let operation = "get IPVS service \(key)"
        let replies: [NetlinkMessage]
        do {
            replies = try request(IPVSMessage.serviceRequest(key), dump: false, operation: operation)
        } catch let error as NetlinkError where error.errno == ESRCH {
            return nil
        }
        guard replies.count == 1, let service = IPVSMessage.decodeService(replies[0]) else {
            throw IPVSError.malformedReply(operation: operation)
        }
        return service
    }

    /// The real servers of one service; empty when the service does not exist (the kernel's
    /// dump does not tell the two apart).
    public func realServers(of key: IPVSServiceKey) throws -> [IPVSObservedRealServer] {
        let operation = "list IPVS real servers of \(key)"
        return try request(IPVSMessage.realServersRequest(of: key), dump: true, operation: operation).map { reply in
            guard let server = IPVSMessage.decodeRealServer(reply, serviceFamily: key.family) else {
                throw IPVSError.malformedReply(operation: operation)
            }
            return server
        }
    }

    /// Every service with its real servers: one dump for the services, one per service for servers.
    public func snapshot() throws -> [IPVSServiceKey: ObservedVirtualService] {
        var entries: [IPVSServiceKey: ObservedVirtualService] = [:]
        for service in try services() {
            entries[service.key] = ObservedVirtualService(
                service: service, realServers: try realServers(of: service.key))
        }
        return entries
    }

    /// Sends the operations pipelined, many per system call without waiting for acks, and
    /// reports failures by index into `operations`.
    ///
    /// Goes to the socket's batch directly rather than through `GenericNetlink.sendBatch`, so
    /// that an operation's description is only formatted when it fails.
    public func apply(_ operations: [IPVSOperation]) -> NetlinkSocket.BatchResult {
        let familyID = family.id
        let requests = operations.map { IPVSMessage.encode($0).encode(familyID: familyID, flags: 0x1) }
        return netlink.socket.sendBatch(requests) { operations[$0].description }
    }

    /// The namespace's connection timeouts.
    public func timeouts() throws -> IPVSTimeouts {
        let operation = "get IPVS timeouts"
        let replies = try request(IPVSMessage.timeoutsRequest(), dump: false, operation: operation)
        guard replies.count == 1, let timeouts = IPVSMessage.decodeTimeouts(replies[0]) else {
            throw IPVSError.malformedReply(operation: operation)
        }
        return timeouts
    }

    /// Sets the namespace's connection timeouts; a timeout of 0 is left as it is.
    public func setTimeouts(_ timeouts: IPVSTimeouts) throws {
        _ = try request(
            IPVSMessage.setTimeoutsRequest(timeouts), dump: false, isWrite: true,
            operation: "set IPVS timeouts to \(timeouts)")
    }

    /// Sends one request and returns the raw replies, so the decoders can check them whole.
    private func request(
        _ message: GenericNetlinkMessage, dump: Bool, isWrite: Bool = false, operation: String
    ) throws -> [NetlinkMessage] {
        let flags: UInt16 = 0x1 | (dump ? 0x300 : 0)  // NLM_F_REQUEST, NLM_F_DUMP
        return try netlink.socket.request(
            message.encode(familyID: family.id, flags: flags), operation: operation, isWrite: isWrite)
    }
}
