import BGP
import NIOCore

extension BGPAddress {
    /// The address of a socket address; an IPv4-mapped IPv6 address (a dual-stack listener's view
    /// of an IPv4 peer) becomes the IPv4 address. Nil for Unix sockets.
    init?(socketAddress: SocketAddress) {
        guard let text = socketAddress.ipAddress, let address = BGPAddress(text) else { return nil }
        let bytes = address.bytes
        if address.family == .ipv6, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff {
            self.init(bytes: bytes[12...])
            return
        }
        self = address
    }
}
