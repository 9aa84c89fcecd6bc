/// A generic netlink family as the kernel's controller describes it.
public struct GenericNetlinkFamily: Hashable, Sendable {
    /// The family name ("IPVS", "nlctrl").
    public var name: String
    /// The numeric id to put in nlmsg_type.
    public var id: UInt16
    /// The family's protocol version.
    public var version: UInt32
    /// The highest attribute number the family accepts.
    public var maxAttribute: UInt32
    /// Multicast groups by name.
    public var multicastGroups: [String: UInt32]

    /// A family description.
    public init(name: String, id: UInt16, version: UInt32, maxAttribute: UInt32, multicastGroups: [String: UInt32]) {
        self.name = name
        self.id = id
        self.version = version
        self.maxAttribute = maxAttribute
        self.multicastGroups = multicastGroups
    }
}

/// A generic netlink message: the genlmsghdr command and version, then attributes.
public struct GenericNetlinkMessage: Sendable, Equatable {
    /// The command (genlmsghdr.cmd).
    public var command: UInt8
    /// The version (genlmsghdr.version).
    public var version: UInt8
    /// The top-level attributes.
    public var attributes: [NetlinkAttribute]

    /// A message value.
    public init(command: UInt8, version: UInt8, attributes: [NetlinkAttribute]) {
        self.command = command
        self.version = version
        self.attributes = attributes
    }

    /// Encodes the message for `familyID` with the given netlink flags.
    public func encode(familyID: UInt16, flags: UInt16) -> NetlinkMessage {
        NetlinkMessage(
            type: familyID, flags: flags, payload: [command, version, 0, 0] + NetlinkAttribute.encode(attributes))
    }

    /// Decodes a reply; nil when the payload is shorter than a genlmsghdr.
    public init?(decoding message: NetlinkMessage) {
        let payload = message.payload
        guard payload.count >= 4 else { return nil }
        command = payload[payload.startIndex]
        version = payload[payload.startIndex + 1]
        attributes = NetlinkAttribute.parse(payload.dropFirst(4))
    }
}
