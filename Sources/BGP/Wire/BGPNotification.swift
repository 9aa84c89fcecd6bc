/// A NOTIFICATION message (RFC 4271 §4.5): an error code, a subcode and data, after which the
/// sender closes the connection.
public struct BGPNotification: Hashable, Sendable, CustomStringConvertible {
    /// The error code; `Code` names the known ones, others are carried as received.
    public var code: UInt8
    /// The error subcode, whose meaning depends on the code.
    public var subcode: UInt8
    /// Diagnostic data, whose content depends on the code and subcode.
    public var data: [UInt8]

    /// A notification from its raw fields.
    public init(code: UInt8, subcode: UInt8, data: [UInt8] = []) {
        self.code = code
        self.subcode = subcode
        self.data = data
    }

    /// A Message Header Error (code 1).
    public static func header(_ subcode: HeaderSubcode, data: [UInt8] = []) -> BGPNotification {
        BGPNotification(code: Code.messageHeader.rawValue, subcode: subcode.rawValue, data: data)
    }

    /// An OPEN Message Error (code 2).
    public static func open(_ subcode: OpenSubcode, data: [UInt8] = []) -> BGPNotification {
        BGPNotification(code: Code.openMessage.rawValue, subcode: subcode.rawValue, data: data)
    }

    /// An UPDATE Message Error (code 3).
    public static func update(_ subcode: UpdateSubcode, data: [UInt8] = []) -> BGPNotification {
        BGPNotification(code: Code.updateMessage.rawValue, subcode: subcode.rawValue, data: data)
    }

    /// A Cease (code 6, RFC 4486 subcodes).
    public static func cease(_ subcode: CeaseSubcode, data: [UInt8] = []) -> BGPNotification {
        BGPNotification(code: Code.cease.rawValue, subcode: subcode.rawValue, data: data)
    }

    /// Hold Timer Expired (code 4).
    public static let holdTimerExpired = BGPNotification(code: Code.holdTimerExpired.rawValue, subcode: 0)

    /// A Finite State Machine Error (code 5) with RFC 6608's subcode.
    public static func finiteStateMachine(_ subcode: FiniteStateMachineSubcode = .unspecified) -> BGPNotification {
        BGPNotification(code: Code.finiteStateMachine.rawValue, subcode: subcode.rawValue)
    }

    /// The named code, if known.
    public var knownCode: Code? { Code(rawValue: code) }

    /// "UPDATE Message Error / Malformed AS_PATH (3/11), 2 bytes of data".
    public var description: String {
        let codeName = knownCode.map { "\($0)" } ?? "error code \(code)"
        let subcodeName: String? =
            switch knownCode {
            case .messageHeader: HeaderSubcode(rawValue: subcode).map { "\($0)" }
            case .openMessage: OpenSubcode(rawValue: subcode).map { "\($0)" }
            case .updateMessage: UpdateSubcode(rawValue: subcode).map { "\($0)" }
            case .finiteStateMachine: FiniteStateMachineSubcode(rawValue: subcode).map { "\($0)" }
            case .cease: CeaseSubcode(rawValue: subcode).map { "\($0)" }
            default: nil
            }
        var text = "\(codeName) / \(subcodeName ?? "subcode \(subcode)") (\(code)/\(subcode))"
        if !data.isEmpty { text += ", \(data.count) bytes of data" }
        return text
    }

    /// Writes the whole message, header included.
    public func encode() -> [UInt8] {
        var writer = BGPMessageHeader.start(.notification, capacity: 21 + data.count)
        writer.writeUInt8(code)
        writer.writeUInt8(subcode)
        writer.write(data)
        return BGPMessageHeader.finish(writer)
    }

    /// Reads a NOTIFICATION's body (the bytes after the 19-byte header).
    public static func decode(body: ArraySlice<UInt8>) throws(BGPError) -> BGPNotification {
        guard body.count >= 2 else {
            throw BGPError(
                object: "NOTIFICATION", problem: "body of \(body.count) bytes has no error code and subcode",
                notification: .header(.badMessageLength, data: BGPMessageHeader.lengthData(19 + body.count)))
        }
        let start = body.startIndex
        return BGPNotification(code: body[start], subcode: body[start + 1], data: Array(body.dropFirst(2)))
    }
}
