import RudderLab
import Testing

@testable import BGP

/// Framing a byte stream into messages, and the small fixed messages.
@Suite struct MessageHeaderTests {
    let keepalive = WireBytes.message(type: 4, body: [])

    @Test func framesWholeMessagesOnly() throws {
        #expect(try BGPMessageHeader.frame([UInt8]()) == nil)
        #expect(try BGPMessageHeader.frame(keepalive.prefix(18)) == nil)
        let header = try #require(try BGPMessageHeader.frame(keepalive + [0xff, 0xff]))
        #expect(header == BGPMessageHeader(type: .keepalive, messageLength: 19))
        let update = WireBytes.message(type: 2, body: [0, 0, 0, 0])
        #expect(try BGPMessageHeader.frame(update.prefix(22)) == nil)
        #expect(try BGPMessageHeader.frame(update)?.messageLength == 23)
    }

    @Test func badMarkerIsConnectionNotSynchronized() {
        var bytes = keepalive
        bytes[3] = 0
        let error = #expect(throws: BGPError.self) { try BGPMessageHeader.frame(bytes) }
        #expect(error?.notification == .header(.connectionNotSynchronized))
        // Noticed before the whole header has arrived.
        #expect(throws: BGPError.self) { try BGPMessageHeader.frame(bytes.prefix(5)) }
    }

    @Test(arguments: [(0, 18), (0x10, 0x01), (0xff, 0xff)])
    func lengthOutsideTheLimitsIsBadMessageLength(high: UInt8, low: UInt8) {
        var bytes = keepalive
        bytes[16] = high
        bytes[17] = low
        let error = #expect(throws: BGPError.self) { try BGPMessageHeader.frame(bytes) }
        #expect(error?.notification == .header(.badMessageLength, data: [high, low]))
    }

    @Test func lengthWrongForTheTypeIsBadMessageLength() {
        let longKeepalive = WireBytes.message(type: 4, body: [0])
        #expect(throws: BGPError.self) { try BGPMessageHeader.frame(longKeepalive) }
        let shortOpen = WireBytes.message(type: 1, body: [4, 0, 1])
        let error = #expect(throws: BGPError.self) { try BGPMessageHeader.frame(shortOpen) }
        #expect(error?.notification == .header(.badMessageLength, data: [0, 22]))
    }

    @Test func unknownTypeIsBadMessageType() {
        let error = #expect(throws: BGPError.self) { try BGPMessageHeader.frame(WireBytes.message(type: 9, body: [])) }
        #expect(error?.notification == .header(.badMessageType, data: [9]))
    }

    @Test func keepaliveNotificationAndRouteRefreshRoundTrip() throws {
        let context = WireBytes.internal4
        #expect(BGPMessage.keepalive.encode(context: context) == keepalive)
        #expect(try BGPMessage.decode(keepalive[...], context: context) == .keepalive)

        let notification = BGPNotification.cease(.administrativeShutdown, data: [3, 0x62, 0x79, 0x65])
        let bytes = notification.encode()
        #expect(bytes == WireBytes.message(type: 3, body: [6, 2, 3, 0x62, 0x79, 0x65]))
        #expect(try BGPMessage.decode(bytes[...], context: context) == .notification(notification))
        #expect(notification.description.hasPrefix("Cease / Administrative Shutdown (6/2)"))

        let refresh = BGPRouteRefresh(afiSafi: .ipv6Unicast)
        #expect(refresh.encode() == WireBytes.message(type: 5, body: [0, 2, 0, 1]))
        #expect(try BGPMessage.decode(refresh.encode()[...], context: context) == .routeRefresh(refresh))
        let error = #expect(throws: BGPError.self) {
            try BGPRouteRefresh.decode(body: [0, 1, 0, 1, 9][...])
        }
        #expect(error?.notification.code == 7)
        #expect(error?.notification.subcode == 1)
    }
}
