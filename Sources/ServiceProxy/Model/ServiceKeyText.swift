import Addresses
import IPVS

/// A stable text form of a virtual-service key for the ownership record: "tcp 10.96.0.10 80", "fwm ipv4 42".
enum ServiceKeyText {
    static func format(_ key: IPVSServiceKey) -> String {
        switch key {
        case .address(let transport, let address, let port): "\(name(of: transport)) \(address) \(port)"
        case .firewallMark(let family, let mark): "fwm \(family.rawValue) \(mark)"
        }
    }

    static func parse(_ text: String) -> IPVSServiceKey? {
        let fields = text.split(separator: " ")
        guard fields.count == 3 else { return nil }
        if fields[0] == "fwm" {
            guard let family = AddressFamily(rawValue: String(fields[1])), let mark = UInt32(fields[2]) else {
                return nil
            }
            return .firewallMark(family, mark)
        }
        guard let transport = IPVSProtocol.allCases.first(where: { name(of: $0) == fields[0] }),
            let address = IPAddress(fields[1]), let port = UInt16(fields[2])
        else { return nil }
        return .address(transport, address, port: port)
    }

    private static func name(of transport: IPVSProtocol) -> String {
        switch transport {
        case .tcp: "tcp"
        case .udp: "udp"
        case .sctp: "sctp"
        }
    }
}
