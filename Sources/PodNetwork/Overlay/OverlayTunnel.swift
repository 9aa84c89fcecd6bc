import Addresses

/// One IP-in-IP tunnel to a remote node, named after the remote's address so that a restart
/// finds its own tunnels by name alone.
public struct OverlayTunnel: Hashable, Sendable, CustomStringConvertible {
    /// This node's address the tunnel leaves from.
    public var local: IPAddress
    /// The remote node's address.
    public var remote: IPAddress
    /// How it carries packets.
    public var encapsulation: OverlayEncapsulation

    /// A tunnel from `local` to `remote` (IPv4).
    public init(local: IPAddress, remote: IPAddress, encapsulation: OverlayEncapsulation = .ipip) {
        self.local = local
        self.remote = remote
        self.encapsulation = encapsulation
    }

    /// The prefixes of Rudder's tunnel names; an `ipip` link named with one and 8 hex digits is Rudder's.
    public static let namePrefixes = [
        OverlayEncapsulation.ipip.namePrefix, OverlayEncapsulation.gue(port: 0).namePrefix,
    ]

    /// `rtun` (or `rgue`) and the remote's IPv4 address in hex: 12 characters, unique per remote,
    /// no hash to collide.
    public var name: String { Self.name(remote: remote, encapsulation: encapsulation) }

    /// The tunnel name for a remote address.
    public static func name(remote: IPAddress, encapsulation: OverlayEncapsulation = .ipip) -> String {
        let prefix = encapsulation.namePrefix
        guard case .v4(let value) = remote else { return prefix + "-v6" }
        let hex = String(value, radix: 16)
        return prefix + String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// Whether a link of kind `kind` called `name` is one of Rudder's tunnels.
    public static func isOwned(name: String, kind: String?) -> Bool {
        guard kind == "ipip", let prefix = namePrefixes.first(where: name.hasPrefix),
            name.utf8.count == prefix.utf8.count + 8
        else {
            return false
        }
        return name.utf8.dropFirst(prefix.utf8.count).allSatisfy {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
        }
    }

    public var description: String { "\(name) \(local) -> \(remote)" }

    /// Whether a remote node at `remote` gets a tunnel from a node holding `local` on a subnet of
    /// `localLength` bits, under `mode`.
    public static func wanted(mode: OverlayMode, local: IPPrefix, remote: IPAddress) -> Bool {
        guard remote.family == .ipv4, local.address.family == .ipv4 else { return false }
        switch mode {
        case .off: return false
        case .full: return true
        case .subnet: return !local.contains(remote)
        }
    }
}
