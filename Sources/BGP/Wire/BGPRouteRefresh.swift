/// A ROUTE-REFRESH message (RFC 2918), with the message subtype of enhanced route refresh (RFC 7313).
public struct BGPRouteRefresh: Hashable, Sendable {
    /// The family whose routes are asked for again.
    public var afiSafi: AFISAFI
    /// 0: a normal request; 1: beginning of a route refresh; 2: its end (RFC 7313).
    public var subtype: UInt8

    /// A request from its parts.
    public init(afiSafi: AFISAFI, subtype: UInt8 = 0) {
        self.afiSafi = afiSafi
        self.subtype = subtype
    }

    /// Writes the whole message.
    public func encode() -> [UInt8] {
        var writer = BGPMessageHeader.start(.routeRefresh, capacity: 23)
        writer.writeUInt16(afiSafi.afi.rawValue)
        writer.writeUInt8(subtype)
        writer.writeUInt8(afiSafi.safi.rawValue)
        return BGPMessageHeader.finish(writer)
    }

    /// Reads a ROUTE-REFRESH body; any length but 4 gets ROUTE-REFRESH Message Error / Invalid
    /// Message Length with the message as data (RFC 7313 §5; no ORF entries are accepted).
    public static func decode(body: ArraySlice<UInt8>) throws(BGPError) -> BGPRouteRefresh {
        let bytes = Array(body)
        guard bytes.count == 4 else {
            var message = BGPMessageHeader.start(.routeRefresh)
            message.write(bytes)
            throw BGPError(
                object: "ROUTE-REFRESH", problem: "body of \(bytes.count) bytes, expected 4",
                notification: BGPNotification(
                    code: BGPNotification.Code.routeRefreshMessage.rawValue, subcode: 1,
                    data: BGPMessageHeader.finish(message)))
        }
        let afi = AFI(rawValue: UInt16(bytes[0]) << 8 | UInt16(bytes[1]))
        return BGPRouteRefresh(afiSafi: AFISAFI(afi: afi, safi: SAFI(rawValue: bytes[3])), subtype: bytes[2])
    }
}
