#if canImport(Glibc)
    import Glibc
#endif

/// A generic netlink socket: family resolution, requests, dumps and pipelined batches.
public final class GenericNetlink: Sendable {
    /// The underlying socket.
    public let socket: NetlinkSocket

    /// The controller family's fixed id (GENL_ID_CTRL).
    public static let controllerID: UInt16 = 0x10

    /// Opens a generic netlink socket in `namespace`.
    public init(namespace: NetworkNamespace = .current) throws {
        socket = try NetlinkSocket(family: .generic, namespace: namespace)
    }

    /// Asks the controller for a family by name; ENOENT when the kernel has no such family.
    public func resolveFamily(_ name: String) throws -> GenericNetlinkFamily {
        let request = GenericNetlinkMessage(
            command: 3 /* CTRL_CMD_GETFAMILY */, version: 1, attributes: [.string(2, name)])
        let replies = try send(
            request, familyID: Self.controllerID, operation: "resolve generic netlink family \(name)")
        guard let reply = replies.first, let family = Self.family(from: reply) else {
            throw NetlinkError(operation: "resolve generic netlink family \(name)", errno: ENOENT)
        }
        return family
    }

    /// Lists every registered family.
    public func families() throws -> [GenericNetlinkFamily] {
        let request = GenericNetlinkMessage(command: 3, version: 1, attributes: [])
        return try send(request, familyID: Self.controllerID, dump: true, operation: "list generic netlink families")
            .compactMap(Self.family(from:))
    }

    /// Sends one request (a dump when asked) and returns the decoded replies.
    public func send(
        _ message: GenericNetlinkMessage, familyID: UInt16, flags: UInt16 = 0, dump: Bool = false,
        isWrite: Bool = false,
        operation: String
    ) throws -> [GenericNetlinkMessage] {
        let encoded = message.encode(familyID: familyID, flags: 0x1 | flags | (dump ? 0x300 : 0))
        return try socket.request(encoded, operation: operation, isWrite: isWrite).compactMap(
            GenericNetlinkMessage.init(decoding:))
    }

    /// Sends state-changing requests pipelined and reports failures by index.
    public func sendBatch(
        _ messages: [(GenericNetlinkMessage, operation: String)], familyID: UInt16
    ) -> NetlinkSocket.BatchResult {
        socket.sendBatch(messages.map { $0.0.encode(familyID: familyID, flags: 0x1) }) { messages[$0].operation }
    }

    static func family(from reply: GenericNetlinkMessage) -> GenericNetlinkFamily? {
        let attributes = reply.attributes
        guard let id = attributes.first(type: 1)?.u16Value, let name = attributes.first(type: 2)?.stringValue else {
            return nil
        }
        var groups: [String: UInt32] = [:]
        for group in attributes.first(type: 7)?.children ?? [] {
            let fields = group.children
            if let groupName = fields.first(type: 1)?.stringValue, let groupID = fields.first(type: 2)?.u32Value {
                groups[groupName] = groupID
            }
        }
        return GenericNetlinkFamily(
            name: name, id: id, version: attributes.first(type: 3)?.u32Value ?? 0,
            maxAttribute: attributes.first(type: 5)?.u32Value ?? 0, multicastGroups: groups)
    }
}
