/// An OPEN message (RFC 4271 §4.2) with its capabilities (RFC 5492).
public struct BGPOpen: Hashable, Sendable {
    /// The AS number a 4-octet speaker puts in My Autonomous System when its AS needs 4 octets (RFC 6793).
    public static let asTrans: UInt16 = 23456

    /// The BGP version; 4 is the only one there is.
    public var version: UInt8
    /// The My Autonomous System field as on the wire: AS_TRANS for a 4-octet AS.
    public var myAutonomousSystem: UInt16
    /// The proposed hold time in seconds (0 or at least 3).
    public var holdTime: UInt16
    /// The BGP identifier, an IPv4-shaped number.
    public var identifier: UInt32
    /// The capabilities, in the order sent.
    public var capabilities: [BGPCapability]

    /// An OPEN from its wire fields.
    public init(
        version: UInt8 = 4, myAutonomousSystem: UInt16, holdTime: UInt16, identifier: UInt32,
        capabilities: [BGPCapability]
    ) {
        self.version = version
        self.myAutonomousSystem = myAutonomousSystem
        self.holdTime = holdTime
        self.identifier = identifier
        self.capabilities = capabilities
    }

    /// The OPEN a speaker of `autonomousSystem` sends: AS_TRANS in the 2-octet field when the AS
    /// needs 4 octets, and a 4-octet AS capability added when `capabilities` lacks one.
    public init(autonomousSystem: UInt32, holdTime: UInt16, identifier: UInt32, capabilities: [BGPCapability]) {
        var capabilities = capabilities
        if !capabilities.contains(where: { $0.code == 65 }) { capabilities.append(.fourOctetAS(autonomousSystem)) }
        self.init(
            myAutonomousSystem: autonomousSystem > 0xffff ? Self.asTrans : UInt16(autonomousSystem),
            holdTime: holdTime, identifier: identifier, capabilities: capabilities)
    }

    /// The AS from the 4-octet AS capability when there is one, else from My Autonomous System.
    public var autonomousSystem: UInt32 {
        fourOctetASCapability ?? UInt32(myAutonomousSystem)
    }

    /// The AS number in the 4-octet AS capability, if the speaker sent one.
    public var fourOctetASCapability: UInt32? {
        for case .fourOctetAS(let asNumber) in capabilities { return asNumber }
        return nil
    }

    /// The families the speaker announced multiprotocol capabilities for.
    public var multiprotocolFamilies: [AFISAFI] {
        capabilities.compactMap { if case .multiprotocol(let family) = $0 { family } else { nil } }
    }

    /// The graceful restart capability, if sent.
    public var gracefulRestart: GracefulRestartCapability? {
        for case .gracefulRestart(let restart) in capabilities { return restart }
        return nil
    }

    /// Writes the whole message. Capabilities go into as many Capabilities optional parameters as
    /// their 255-byte limit needs; the extended parameters of RFC 9072 are not produced.
    public func encode() -> [UInt8] {
        var writer = BGPMessageHeader.start(.open)
        writer.writeUInt8(version)
        writer.writeUInt16(myAutonomousSystem)
        writer.writeUInt16(holdTime)
        writer.writeUInt32(identifier)
        var parameters = ByteWriter()
        var current: [UInt8] = []
        func flush() {
            guard !current.isEmpty else { return }
            parameters.writeUInt8(2)
            parameters.writeUInt8(UInt8(current.count))
            parameters.write(current)
            current = []
        }
        for capability in capabilities {
            let value = capability.value.prefix(255)
            if current.count + 2 + value.count > 255 { flush() }
            current += [capability.code, UInt8(value.count)] + value
        }
        flush()
        writer.writeUInt8(UInt8(truncatingIfNeeded: min(parameters.count, 255)))
        writer.write(parameters.bytes.prefix(255))
        return BGPMessageHeader.finish(writer)
    }

    /// Reads an OPEN's body (the bytes after the 19-byte header). Optional parameters other than
    /// Capabilities get Unsupported Optional Parameter; a malformed one gets Unspecific (RFC 4271 §6.2).
    public static func decode(body: ArraySlice<UInt8>) throws(BGPError) -> BGPOpen {
        func malformed(_ problem: String) -> BGPError {
            BGPError(object: "OPEN", problem: problem, notification: .open(.unspecific))
        }
        var reader = ByteReader(body)
        let version: UInt8
        let myAS: UInt16
        let holdTime: UInt16
        let identifier: UInt32
        let parametersLength: Int
        do {
            version = try reader.readUInt8()
            myAS = try reader.readUInt16()
            holdTime = try reader.readUInt16()
            identifier = try reader.readUInt32()
            parametersLength = Int(try reader.readUInt8())
        } catch {
            throw BGPError(
                object: "OPEN", problem: "body of \(body.count) bytes is shorter than the fixed 10",
                notification: .header(.badMessageLength, data: BGPMessageHeader.lengthData(19 + body.count)))
        }
        guard parametersLength == reader.remaining else {
            throw malformed("optional parameters length \(parametersLength) but \(reader.remaining) bytes follow")
        }
        var capabilities: [BGPCapability] = []
        while !reader.isAtEnd {
            guard let type = try? reader.readUInt8(), let length = try? reader.readUInt8(),
                let value = try? reader.read(Int(length))
            else { throw malformed("an optional parameter runs past the end of the message") }
            guard type == 2 else {
                throw BGPError(
                    object: "OPEN", problem: "optional parameter type \(type) is not Capabilities",
                    notification: .open(.unsupportedOptionalParameter))
            }
            var capabilityReader = ByteReader(value)
            while !capabilityReader.isAtEnd {
                guard let code = try? capabilityReader.readUInt8(), let length = try? capabilityReader.readUInt8(),
                    let value = try? capabilityReader.read(Int(length))
                else { throw malformed("a capability runs past the end of its optional parameter") }
                capabilities.append(try BGPCapability.read(code: code, value: value))
            }
        }
        return BGPOpen(
            version: version, myAutonomousSystem: myAS, holdTime: holdTime, identifier: identifier,
            capabilities: capabilities)
    }

    /// Checks a received OPEN (RFC 4271 §6.2, RFC 6793, RFC 6286, RFC 7607) and throws the
    /// NOTIFICATION to send: Unsupported Version Number, Bad Peer AS (AS 0, an AS other than
    /// `expectedPeerAS`, or My AS disagreeing with a 2-octet AS in the capability), Bad BGP
    /// Identifier (0, or ours on an internal session) or Unacceptable Hold Time (1 or 2 seconds).
    public func validate(localAS: UInt32, localIdentifier: UInt32, expectedPeerAS: UInt32?) throws(BGPError) {
        guard version == 4 else {
            throw BGPError(
                object: "OPEN", problem: "version \(version) is not 4",
                notification: .open(.unsupportedVersionNumber, data: [0, 4]))
        }
        let peerAS = autonomousSystem
        func badPeerAS(_ problem: String) -> BGPError {
            BGPError(
                object: "OPEN", problem: problem,
                notification: .open(
                    .badPeerAS, data: [UInt8(myAutonomousSystem >> 8), UInt8(myAutonomousSystem & 0xff)]))
        }
        if peerAS == 0 || myAutonomousSystem == 0 { throw badPeerAS("AS 0 is reserved (RFC 7607)") }
        if let capabilityAS = fourOctetASCapability, capabilityAS <= 0xffff, UInt32(myAutonomousSystem) != capabilityAS
        {
            throw badPeerAS("My AS \(myAutonomousSystem) disagrees with the 4-octet AS capability's \(capabilityAS)")
        }
        if let expectedPeerAS, peerAS != expectedPeerAS {
            throw badPeerAS("peer AS \(peerAS) is not the configured \(expectedPeerAS)")
        }
        if identifier == 0 || (identifier == localIdentifier && peerAS == localAS) {
            throw BGPError(
                object: "OPEN",
                problem: identifier == 0 ? "BGP identifier 0.0.0.0" : "BGP identifier is ours on an internal session",
                notification: .open(.badBGPIdentifier))
        }
        if holdTime == 1 || holdTime == 2 {
            throw BGPError(
                object: "OPEN", problem: "hold time \(holdTime) s is neither 0 nor at least 3",
                notification: .open(.unacceptableHoldTime))
        }
    }
}
