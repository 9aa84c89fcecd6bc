import Addresses
import Foundation
import IPVS
import Netlink
import RudderLab
import ServiceProxy

#if canImport(Glibc)
    import Glibc
#endif

/// The guest's network, servers and ownership record for one test, and checks that read the kernel.
///
/// The guest's root namespace is the node:
///
///     client 10.201.0.2 ── 10.201.0.1 node 10.200.1.1 ── 10.200.1.2 be1
///                                         10.200.2.1 ── 10.200.2.2 be2
///
/// Each backend runs a TCP server on 8080 and a UDP server on 5353 that answer with the
/// backend's name, so the client counts which backend served each connection.
final class TrafficLab {

    /// Backend namespace name to address.
    static let backends = ["be1": "10.200.1.2", "be2": "10.200.2.2"]
    static let webName = ServiceName(namespace: "default", name: "web")
    static let clusterTCP = SocketEndpoint("10.96.0.10", port: 80)
    static let clusterUDP = SocketEndpoint("10.96.0.10", port: 53)
    static let nodePortTCP = SocketEndpoint("10.201.0.1", port: 30080)
    /// Masquerade is off: these backends route back through the node, and the rules have their
    /// own test (MasqueradeTrafficTests) with the netfilter modules this guest does not load.
    static let settings = ProxySettings(nodeAddresses: [IPAddress("10.201.0.1")!], masquerade: false)

    /// The Service under test: TCP 80 → 8080 with NodePort 30080, UDP 53 → 5353.
    static func web(endpoints: [String: String], affinity: ProxiedService.Affinity = .none) -> ProxiedService {
        ProxiedService(
            name: webName, clusterIPs: [IPAddress(clusterTCP.address)!],
            ports: [
                ServicePort(name: "http", transport: .tcp, port: 80, nodePort: 30080, targetPort: 8080),
                ServicePort(name: "dns", transport: .udp, port: 53, targetPort: 5353),
            ],
            affinity: affinity,
            endpoints: endpoints.values.sorted().map { ServiceEndpoint(address: IPAddress($0)!) })
    }

    static func key(_ transport: IPVSProtocol, _ endpoint: SocketEndpoint) -> IPVSServiceKey {
        .address(transport, IPAddress(endpoint.address)!, port: endpoint.port)
    }

    static func address(of backend: String) -> IPAddress? {
        backends[backend].flatMap { IPAddress($0) }
    }

    let client = NetworkNamespace.named("client")
    let record: OwnershipRecord
    private let recordDirectory: String
    private var namespaces: [String] = []
    private var tcpServers: [TCPNameServer] = []
    private var udpServers: [UDPNameServer] = []
    private var nextUDPPort: UInt16 = 41_000

    /// Builds the network and starts the servers; everything lives in the guest and dies with it,
    /// but `tearDown` removes it anyway.
    init() throws {
        // The guest's /run is a private tmpfs: the record never reaches the host's disk.
        recordDirectory = "/run/rudder-traffic-\(UInt32.random(in: .min ... .max))"
        record = OwnershipRecord(path: recordDirectory + "/ipvs-services")
        do {
            try Shell.check("sysctl", ["-w", "net.ipv4.ip_forward=1"])
            for (name, address) in Self.backends.sorted(by: { $0.key < $1.key }) {
                let subnet = address.split(separator: ".").dropLast().joined(separator: ".")
                try join(name, nodeSide: "\(subnet).1", peerSide: address)
                let namespace = NetworkNamespace.named(name)
                tcpServers.append(
                    try TCPNameServer(name: name, endpoint: SocketEndpoint(address, port: 8080), namespace: namespace))
                udpServers.append(
                    try UDPNameServer(name: name, endpoint: SocketEndpoint(address, port: 5353), namespace: namespace))
            }
            try join("client", nodeSide: "10.201.0.1", peerSide: "10.201.0.2")
        } catch {
            tearDown()
            throw error
        }
    }

    /// Creates namespace `name` joined to the node by a veth pair in a /24, with its default route via the node.
    private func join(_ name: String, nodeSide: String, peerSide: String) throws {
        try Shell.check("ip", ["netns", "add", name])
        namespaces.append(name)
        let nodeLink = "v-\(name)"
        try Shell.check("ip", ["link", "add", nodeLink, "type", "veth", "peer", "name", "eth0", "netns", name])
        try Shell.check("ip", ["address", "add", "\(nodeSide)/24", "dev", nodeLink])
        try Shell.check("ip", ["link", "set", nodeLink, "up"])
        try Shell.check("ip", ["-n", name, "link", "set", "lo", "up"])
        try Shell.check("ip", ["-n", name, "address", "add", "\(peerSide)/24", "dev", "eth0"])
        try Shell.check("ip", ["-n", name, "link", "set", "eth0", "up"])
        // IPVS NAT rewrites the replies only if they come back through the node.
        try Shell.check("ip", ["-n", name, "route", "add", "default", "via", nodeSide])
    }

    func tearDown() {
        for server in tcpServers { server.stop() }
        for server in udpServers { server.stop() }
        tcpServers = []
        udpServers = []
        for name in namespaces.reversed() { _ = try? Shell.run("ip", ["netns", "delete", name]) }
        namespaces = []
        try? FileManager.default.removeItem(atPath: recordDirectory)
    }

    /// Runs `connect` ten times and counts the backend names it returns.
    func spread(_ connect: (Int) throws -> String) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for index in 0..<10 { counts[try withDiagnostics { try connect(index) }, default: 0] += 1 }
        return counts
    }

    /// Runs `body`; an error it throws comes back with the kernel's state attached, since a
    /// timeout alone does not say where the packets went.
    func withDiagnostics<Result>(_ body: () throws -> Result) throws -> Result {
        do {
            return try body()
        } catch {
            throw TrafficError(operation: "\(error)\n\(diagnostics())")
        }
    }

    /// Which backend answers a UDP datagram sent from a client port not used before in this guest.
    func udpBackend(to endpoint: SocketEndpoint, message: String) throws -> String {
        nextUDPPort += 1
        let reply = try UDPExchange.send(message, to: endpoint, from: client, localPort: nextUDPPort)
        let words = reply.split(separator: " ", maxSplits: 1).map(String.init)
        guard words.count == 2, words[1] == message else {
            throw TrafficError(operation: "UDP reply \(reply.debugDescription) to \(message.debugDescription)")
        }
        return words[0]
    }

    /// The backend that greets one new connection from the client to `endpoint`.
    func greeting(to endpoint: SocketEndpoint = clusterTCP) throws -> String {
        try TCPConnection.greeting(from: client, to: endpoint)
    }

    @discardableResult
    func ipvsadm(_ arguments: String...) throws -> String {
        try Shell.check("ipvsadm", arguments)
    }

    /// `ipvsadm -Sn` lines of the hand-made service.
    func foreignServiceLines() throws -> [String] {
        try ipvsadm("-Sn").split(separator: "\n").map(String.init).filter { $0.contains("10.96.9.9:80") }
    }

    /// The real server lines ("10.200.1.2:8080 Masq 0 1 0") under `service` ("TCP  10.96.0.10:80") in `ipvsadm -Ln`.
    func realServers(of service: String) throws -> [String] {
        var lines: [String] = []
        var inside = false
        for line in try ipvsadm("-Ln").split(separator: "\n") {
            if line.hasPrefix("  -> ") {
                if inside, !line.contains("RemoteAddress") {
                    lines.append(line.dropFirst(5).split(separator: " ").joined(separator: " "))
                }
            } else {
                inside = line.hasPrefix(service + " ")
            }
        }
        return lines
    }

    /// The addresses on the dummy link, without the kernel's link-local one.
    func dummyAddresses() throws -> [String] {
        let shown = try Shell.check("ip", ["-o", "address", "show", "dev", ProxySettings.defaultDummyInterface])
        return shown.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard let index = fields.firstIndex(where: { $0 == "inet" || $0 == "inet6" }), index + 1 < fields.count
            else { return nil }
            let address = String(fields[index + 1])
            return address.hasPrefix("fe80:") ? nil : address
        }
    }

    /// What a failed check needs to be understood: IPVS services, connections and the VIPs.
    func diagnostics() -> String {
        func output(_ command: String, _ arguments: [String]) -> String {
            guard let result = try? Shell.run(command, arguments) else { return "cannot run \(command)" }
            return "$ \(([command] + arguments).joined(separator: " "))\n\(result.stdout)\(result.stderr)"
        }
        return [
            output("ipvsadm", ["-Ln"]), output("ipvsadm", ["-Lnc"]),
            output("ip", ["address", "show", ProxySettings.defaultDummyInterface]),
        ].joined(separator: "\n")
    }
}
