import BGP
import Netlink

extension IPAddress {
    /// The same address, converted without going through text.
    init?(_ address: BGPAddress) {
        if let value = address.ipv4Value {
            self = .v4(value)
        } else {
            self.init(bytes: address.bytes)
        }
    }
}
