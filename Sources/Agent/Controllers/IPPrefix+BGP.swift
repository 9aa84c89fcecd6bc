import BGP
import Netlink

extension IPPrefix {
    /// The same prefix, converted without going through text: a full table is a million of them.
    init?(_ prefix: BGPPrefix) {
        guard let address = IPAddress(prefix.address) else { return nil }
        self.init(address: address, length: Int(prefix.length))
    }
}
