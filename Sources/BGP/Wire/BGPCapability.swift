/// A capability advertised in OPEN (RFC 5492). Unknown ones are kept as code and bytes so they
/// can be logged and passed over.
public enum BGPCapability: Hashable, Sendable, CustomStringConvertible {
    /// Multiprotocol extensions for one AFI/SAFI (RFC 4760, code 1).
    case multiprotocol(AFISAFI)
    /// Route refresh (RFC 2918, code 2).
    case routeRefresh
    /// Graceful restart (RFC 4724, code 64).
    case gracefulRestart(GracefulRestartCapability)
    /// Support for 4-octet AS numbers, with the speaker's AS (RFC 6793, code 65).
    case fourOctetAS(UInt32)
    /// Any other capability.
    case unknown(code: UInt8, value: [UInt8])

    /// The capability code.
    public var code: UInt8 {
        switch self {
        case .multiprotocol: 1
        case .routeRefresh: 2
        case .gracefulRestart: 64
        case .fourOctetAS: 65
        case .unknown(let code, _): code
        }
    }

    /// "multiprotocol IPv6 unicast", "4-octet AS 4200000001".
    public var description: String {
        switch self {
        case .multiprotocol(let family): "multiprotocol \(family)"
        case .routeRefresh: "route refresh"
        case .gracefulRestart(let restart):
            "graceful restart (restart time \(restart.restartTime) s, \(restart.families.count) families)"
        case .fourOctetAS(let asNumber): "4-octet AS \(asNumber)"
        case .unknown(let code, let value): "capability \(code) (\(value.count) bytes)"
        }
    }

    /// The capability's value bytes.
    var value: [UInt8] {
        var writer = ByteWriter(capacity: 8)
        switch self {
        case .multiprotocol(let family):
            writer.writeUInt16(family.afi.rawValue)
            writer.writeUInt8(0)
            writer.writeUInt8(family.safi.rawValue)
        case .routeRefresh:
            break
        case .gracefulRestart(let restart):
            restart.write(into: &writer)
        case .fourOctetAS(let asNumber):
            writer.writeUInt32(asNumber)
        case .unknown(_, let value):
            writer.write(value)
        }
        return writer.bytes
    }

    /// Reads one capability's value; throws when a known capability has the wrong length.
    static func read(code: UInt8, value: ArraySlice<UInt8>) throws(BGPError) -> BGPCapability {
        func malformed(_ name: String, _ expected: String) -> BGPError {
            BGPError(
                object: "OPEN \(name) capability", problem: "value of \(value.count) bytes, expected \(expected)",
                notification: .open(.unspecific))
        }
        let bytes = Array(value)
        switch code {
        case 1:
            guard bytes.count == 4 else { throw malformed("multiprotocol", "4") }
            let afi = AFI(rawValue: UInt16(bytes[0]) << 8 | UInt16(bytes[1]))
            return .multiprotocol(AFISAFI(afi: afi, safi: SAFI(rawValue: bytes[3])))
        case 2:
            guard bytes.isEmpty else { throw malformed("route refresh", "0") }
            return .routeRefresh
        case 64:
            guard let restart = GracefulRestartCapability.read(value) else {
                throw malformed("graceful restart", "2 + 4n")
            }
            return .gracefulRestart(restart)
        case 65:
            guard bytes.count == 4 else { throw malformed("4-octet AS", "4") }
            return .fourOctetAS(bytes.reduce(0) { $0 << 8 | UInt32($1) })
        default:
            return .unknown(code: code, value: bytes)
        }
    }
}
