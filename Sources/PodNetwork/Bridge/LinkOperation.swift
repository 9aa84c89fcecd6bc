import Addresses
import Netlink

/// One change to the node's links that the pod network makes.
public enum LinkOperation: Hashable, Sendable, CustomStringConvertible {
    /// Create the pod bridge, down, with this MTU and hardware address.
    case addBridge(name: String, mtu: UInt32, hardwareAddress: [UInt8])
    /// Change a link's MTU.
    case setMTU(name: String, mtu: UInt32)
    /// Put an address on a link.
    case addAddress(link: String, address: IPPrefix)
    /// Bring a link up.
    case setUp(name: String)
    /// Create a tunnel, down, with this encapsulation and MTU.
    case addTunnel(name: String, tunnel: IPIPTunnel, encapsulation: OverlayEncapsulation, mtu: UInt32)
    /// Open a UDP port for GUE packets (the receive side of `gue` tunnels).
    case addGUEPort(UInt16)
    /// Delete a link Rudder owns.
    case deleteLink(name: String)

    /// The link the operation changes, nil for one that changes no link (a GUE port).
    public var linkName: String? {
        switch self {
        case .addBridge(let name, _, _), .setMTU(let name, _), .setUp(let name), .addTunnel(let name, _, _, _),
            .deleteLink(let name):
            name
        case .addAddress(let link, _): link
        case .addGUEPort: nil
        }
    }

    public var description: String {
        switch self {
        case .addBridge(let name, let mtu, let address):
            "add bridge \(name) mtu \(mtu) address "
                + address.map { String(repeating: "0", count: $0 < 16 ? 1 : 0) + String($0, radix: 16) }.joined(
                    separator: ":")
        case .setMTU(let name, let mtu): "set \(name) mtu \(mtu)"
        case .addAddress(let link, let address): "add address \(address) to \(link)"
        case .setUp(let name): "set \(name) up"
        case .addTunnel(let name, let tunnel, .ipip, let mtu): "add ipip tunnel \(name) \(tunnel) mtu \(mtu)"
        case .addTunnel(let name, let tunnel, .gue(let port), let mtu):
            "add ipip tunnel \(name) \(tunnel) encap gue port \(port) mtu \(mtu)"
        case .addGUEPort(let port): "add fou port \(port) gue"
        case .deleteLink(let name): "delete link \(name)"
        }
    }
}
