import Addresses
import Foundation
import GuestTesting
import IPVS
import RudderLab
import ServiceProxy
import Testing

/// The IPVS client against a real kernel's IPVS, read back independently with `ipvsadm`.
///
/// The host kernel has no IPVS, so each test is split: on the host it boots a User-Mode Linux
/// guest with ip_vs and the scheduler modules, and the guest runs this same test bundle filtered
/// to the test, where `UserModeLinux.isGuest` selects the half that does the kernel work. The
/// guest half cannot run on the host: that branch is only taken inside a guest. Related checks
/// share a test, because every boot costs seconds.
@Suite struct IPVSKernelTests {
    static let modules = [
        "ip_vs", "ip_vs_rr", "ip_vs_wrr", "ip_vs_lc", "ip_vs_wlc", "ip_vs_sh", "ip_vs_mh", "ip_vs_dh",
    ]

    static let dns = IPVSServiceKey.address(.tcp, IPAddress("10.96.0.10")!, port: 53)
    static let dnsUDP = IPVSServiceKey.address(.udp, IPAddress("10.96.0.11")!, port: 53)
    static let sctp = IPVSServiceKey.address(.sctp, IPAddress("10.96.0.12")!, port: 38412)
    static let web6 = IPVSServiceKey.address(.tcp, IPAddress("fd00::10")!, port: 80)
    static let dns6 = IPVSServiceKey.address(.udp, IPAddress("fd00::11")!, port: 53)
    static let mark4 = IPVSServiceKey.firewallMark(.ipv4, 42)
    static let mark6 = IPVSServiceKey.firewallMark(.ipv6, 7)

    /// Outside a guest, the kernel has no IPVS family and the client says so in one line.
    @Test(
        .enabled(
            if: !UserModeLinux.isGuest && !FileManager.default.fileExists(atPath: "/sys/module/ip_vs"),
            "checks the error where the kernel has no IPVS (this host); where IPVS exists the guest tests cover the client"
        ))
    func clientReportsMissingIPVSClearly() {
        #expect {
            _ = try IPVSClient()
        } throws: { error in
            guard case IPVSError.unavailable(let namespace, let cause) = error else { return false }
            return namespace == .current && cause.errno == ENOENT && "\(error)".contains("ip_vs module")
        }
    }

    /// Adds services of every protocol and family with several schedulers and flags, real servers
    /// with every forwarding method, reads them back, updates and deletes some, and checks each
    /// step against `ipvsadm -Sn` and `ipvsadm -Ln`.
    @Test(.userModeLinux, .inGuest(modules: Self.modules))
    func servicesAndRealServersMatchIpvsadm() async throws {
        let client = try IPVSClient()
        let services = [
            IPVSVirtualService(key: Self.dns, scheduler: "rr"),
            IPVSVirtualService(
                key: Self.dnsUDP, scheduler: "wrr", flags: [.onePacket], persistenceTimeout: 600, netmask: 0xFFFF_FF00),
            IPVSVirtualService(key: Self.sctp, scheduler: "lc"),
            IPVSVirtualService(key: Self.web6, scheduler: "sh", flags: [.fallback, .hashPort]),
            IPVSVirtualService(
                key: Self.dns6, scheduler: "mh", flags: [.sched1, .sched2], persistenceTimeout: 30, netmask: 64),
            IPVSVirtualService(key: Self.mark4, scheduler: "dh"),
            IPVSVirtualService(key: Self.mark6, scheduler: "wlc"),
        ]
        let servers: [IPVSServiceKey: [IPVSRealServer]] = [
            Self.dns: [
                IPVSRealServer(
                    address: IPAddress("10.0.0.1")!, port: 53, weight: 3, upperThreshold: 100, lowerThreshold: 10),
                IPVSRealServer(address: IPAddress("10.0.0.2")!, port: 53, forwarding: .tunnel, weight: 0),
                IPVSRealServer(address: IPAddress("10.0.0.3")!, port: 53, forwarding: .directRoute),
            ],
            Self.dnsUDP: [IPVSRealServer(address: IPAddress("10.0.1.1")!, port: 5353)],
            Self.web6: [
                IPVSRealServer(address: IPAddress("fd00::1")!, port: 8080, weight: 2),
                // An IPv4 server behind an IPv6 service: only tunnelling can carry it.
                IPVSRealServer(address: IPAddress("10.0.0.9")!, port: 80, forwarding: .tunnel, weight: 2),
            ],
            Self.mark6: [IPVSRealServer(address: IPAddress("fd00::5")!, port: 0, forwarding: .directRoute)],
        ]
        let operations =
            services.map(IPVSOperation.addService)
            + servers.sorted { $0.key < $1.key }.flatMap { key, list in list.map { .addRealServer(key, $0) } }
        let writesBefore = client.writesSent
        let added = client.apply(operations)
        #expect(added.failures.isEmpty, "\(added.failures)")
        #expect(!added.reportsLost)
        #expect(client.writesSent - writesBefore == operations.count)

        // Read back through the client: equal configuration, kernel-set hashed flag, zero statistics.
        let observed = try client.services()
        #expect(Set(observed) == Set(services))
        for service in observed {
            #expect(service.flags.contains(.hashed), "\(service)")
            #expect(service.statistics == .zero, "\(service)")
            let read = try client.realServers(of: service.key)
            #expect(Set(read.map(\.server)) == Set(servers[service.key] ?? []), "\(service.key)")
            for server in read {
                #expect(server.activeConnections == 0 && server.inactiveConnections == 0)
                #expect(server.persistentConnections == 0 && server.statistics == .zero)
            }
        }
        let snapshot = try client.snapshot()
        #expect(snapshot.keys.sorted() == services.map(\.key).sorted())
        #expect(snapshot[Self.web6]?.realServers.count == 2)
        #expect(try client.service(Self.dns6) == services[4])
        #expect(try client.service(.address(.tcp, IPAddress("10.96.0.99")!, port: 1)) == nil)

        // Read back through ipvsadm.
        // ipvsadm prints in hash-table order.
        #expect(
            Set(try Self.savedRules())
                == [
                    "-A -t 10.96.0.10:53 -s rr",
                    "-a -t 10.96.0.10:53 -r 10.0.0.1:53 -m -w 3",
                    "-a -t 10.96.0.10:53 -r 10.0.0.2:53 -i -w 0 --tun-type ipip",
                    "-a -t 10.96.0.10:53 -r 10.0.0.3:53 -g -w 1",
                    "-A -u 10.96.0.11:53 -s wrr -p 600 -M 255.255.255.0 -o",
                    "-a -u 10.96.0.11:53 -r 10.0.1.1:5353 -m -w 1",
                    "-A --sctp-service 10.96.0.12:38412 -s lc",
                    "-A -t [fd00::10]:80 -s sh -b sh-fallback,sh-port",
                    "-a -t [fd00::10]:80 -r [fd00::1]:8080 -m -w 2",
                    "-a -t [fd00::10]:80 -r 10.0.0.9:80 -i -w 2 --tun-type ipip",
                    "-A -u [fd00::11]:53 -s mh -p 30 -M 64 -b mh-fallback,mh-port",
                    "-A -f 42 -s dh",
                    "-A -f 7 -6 -s wlc",
                    "-a -f 7 -6 -r [fd00::5]:0 -g -w 1",
                ])
        let listing = try Self.listing()
        #expect(
            Set(listing.keys) == [
                "TCP 10.96.0.10:53 rr", "UDP 10.96.0.11:53 wrr persistent 600 mask 255.255.255.0 ops",
                "SCTP 10.96.0.12:38412 lc", "TCP [fd00::10]:80 sh (sh-fallback,sh-port)",
                "UDP [fd00::11]:53 mh (mh-fallback,mh-port) persistent 30 mask 64", "FWM 42 dh", "FWM 7 IPv6 wlc",
            ])
        let thresholds = try Self.listing("--thresholds")["TCP 10.96.0.10:53 rr"] ?? []
        #expect(thresholds.contains(["->", "10.0.0.1:53", "100", "10", "0", "0"]), "\(thresholds)")
        // Every real server as the client read it is the row ipvsadm prints.
        for (key, rows) in listing {
            guard let service = observed.first(where: { key.hasPrefix(Self.listingPrefix($0.key)) }) else {
                Issue.record("ipvsadm lists \(key), the client does not")
                continue
            }
            let expected = try client.realServers(of: service.key).map { server in
                [
                    "->", Self.endpoint(server.server.address, server.server.port),
                    server.server.forwarding.description, "\(server.server.weight)", "\(server.activeConnections)",
                    "\(server.inactiveConnections)",
                ]
            }
            #expect(Set(rows) == Set(expected), "\(key)")
        }

        // Updates: a scheduler, flags and persistence, a weight and thresholds.
        var dnsService = services[0]
        dnsService.scheduler = "wrr"
        var dns6Service = services[4]
        dns6Service.flags = [.sched1]
        dns6Service.persistenceTimeout = 0
        var heavier = servers[Self.dns]![0]
        heavier.weight = 7
        heavier.upperThreshold = 200
        heavier.lowerThreshold = 20
        let updated = client.apply([
            .updateService(dnsService), .updateService(dns6Service), .updateRealServer(Self.dns, heavier),
        ])
        #expect(updated.failures.isEmpty, "\(updated.failures)")
        #expect(try client.service(Self.dns) == dnsService)
        #expect(try client.service(Self.dns6) == dns6Service)
        #expect(try client.realServers(of: Self.dns).map(\.server).contains(heavier))
        let rules = try Self.savedRules()
        #expect(rules.contains("-A -t 10.96.0.10:53 -s wrr"))
        #expect(rules.contains("-a -t 10.96.0.10:53 -r 10.0.0.1:53 -m -w 7"))
        #expect(rules.contains("-A -u [fd00::11]:53 -s mh -b mh-fallback"))
        let newThresholds = try Self.listing("--thresholds")["TCP 10.96.0.10:53 wrr"] ?? []
        #expect(newThresholds.contains(["->", "10.0.0.1:53", "200", "20", "0", "0"]), "\(newThresholds)")

        // Failures name the object and carry the kernel's errno.
        let failing = client.apply([
            .updateService(IPVSVirtualService(key: .address(.tcp, IPAddress("10.96.0.99")!, port: 1))),
            .deleteRealServer(Self.dns, address: IPAddress("10.9.9.9")!, port: 53),
            .addService(IPVSVirtualService(key: .address(.tcp, IPAddress("10.96.0.98")!, port: 1), scheduler: "nope")),
            .addRealServer(Self.dns, IPVSRealServer(address: IPAddress("10.0.0.6")!, port: 53, weight: -1)),
            .addRealServer(
                Self.dns,
                IPVSRealServer(address: IPAddress("10.0.0.7")!, port: 53, upperThreshold: 1, lowerThreshold: 5)),
            // Only tunnelling carries a server of the other family.
            .addRealServer(Self.dns, IPVSRealServer(address: IPAddress("fd00::6")!, port: 53)),
            // An IPv6 persistence netmask is a prefix length of 1...128.
            .addService(IPVSVirtualService(key: .address(.tcp, IPAddress("fd00::99")!, port: 1), netmask: 0)),
        ])
        let errnos = failing.failures.mapValues(\.errno)
        #expect(errnos == [0: ESRCH, 1: ENOENT, 2: ENOENT, 3: ERANGE, 4: ERANGE, 5: EINVAL, 6: EINVAL])
        #expect(failing.failures[1]?.operation == "delete IPVS real server 10.9.9.9:53 from TCP 10.96.0.10:53")
        #expect(try client.services().count == services.count)

        // Deletes: a real server, then services.
        let deleted = client.apply([
            .deleteRealServer(Self.dns, address: IPAddress("10.0.0.3")!, port: 53), .deleteService(Self.sctp),
            .deleteService(Self.mark6),
        ])
        #expect(deleted.failures.isEmpty, "\(deleted.failures)")
        #expect(try client.services().count == services.count - 2)
        #expect(try client.realServers(of: Self.mark6).isEmpty)
        let remaining = try Self.savedRules()
        #expect(!remaining.contains { $0.contains("10.0.0.3") || $0.contains("--sctp-service") || $0.contains("-f 7") })
        #expect(remaining.count == 14 - 4)

        #expect(client.apply(try client.services().map { .deleteService($0.key) }).failures.isEmpty)
        #expect(try Self.savedRules().isEmpty)
    }

    /// A pipelined batch of 1,000 operations with two that must fail reports exactly those two;
    /// timeouts match `ipvsadm --timeout`; services made with `ipvsadm` stay as they were.
    @Test(.userModeLinux, .inGuest(modules: Self.modules))
    func batchTimeoutsAndForeignServices() async throws {
        // Someone else's services, made by hand.
        try Shell.check("ipvsadm", ["-A", "-t", "10.1.1.1:80", "-s", "rr", "-p", "120"])
        try Shell.check("ipvsadm", ["-a", "-t", "10.1.1.1:80", "-r", "10.2.2.2:8080", "-m", "-w", "5"])
        try Shell.check("ipvsadm", ["-A", "-f", "99", "-s", "lc"])
        let foreign = try Self.savedRules()
        #expect(foreign.count == 3)

        let client = try IPVSClient()

        // Timeouts.
        let original = try client.timeouts()
        #expect(try Self.ipvsadmTimeouts() == original)
        try client.setTimeouts(IPVSTimeouts(tcp: 1000, tcpFin: 60, udp: 200))
        #expect(try client.timeouts() == IPVSTimeouts(tcp: 1000, tcpFin: 60, udp: 200))
        #expect(try Self.ipvsadmTimeouts() == IPVSTimeouts(tcp: 1000, tcpFin: 60, udp: 200))
        try client.setTimeouts(IPVSTimeouts(tcp: 0, tcpFin: 30, udp: 0))
        #expect(try Self.ipvsadmTimeouts() == IPVSTimeouts(tcp: 1000, tcpFin: 30, udp: 200), "0 leaves it unchanged")
        try client.setTimeouts(original)
        #expect(try client.timeouts() == original)

        // 100 services, 898 real servers, and two operations that must fail, at known indexes.
        let schedulers = ["rr", "wrr", "lc", "wlc", "sh", "mh", "dh"]
        var operations: [IPVSOperation] = []
        var keys: [IPVSServiceKey] = []
        for index in 0..<100 {
            let key = IPVSServiceKey.address(
                index.isMultiple(of: 2) ? .tcp : .udp, .v4(0x0A64_0000 | UInt32(index)), port: 80)
            keys.append(key)
            operations.append(
                .addService(IPVSVirtualService(key: key, scheduler: schedulers[index % schedulers.count])))
            for server in 0..<(index == 99 ? 7 : 9) {
                operations.append(
                    .addRealServer(
                        key, IPVSRealServer(address: .v4(0x0AF4_0000 | UInt32(index << 8 | server)), port: 8080)))
            }
        }
        let existing = IPVSVirtualService(key: keys[3], scheduler: "rr")
        let missing = IPVSServiceKey.address(.tcp, IPAddress("10.101.0.1")!, port: 80)
        operations.insert(.addService(existing), at: 500)
        operations.insert(.addRealServer(missing, IPVSRealServer(address: IPAddress("10.0.0.1")!, port: 80)), at: 777)
        #expect(operations.count == 1000)

        let writesBefore = client.writesSent
        let result = client.apply(operations)
        #expect(result.failures.keys.sorted() == [500, 777])
        #expect(result.failures[500]?.errno == EEXIST)
        #expect(result.failures[500]?.operation == "add IPVS service \(existing)")
        #expect(result.failures[777]?.errno == ESRCH)
        #expect(result.failures[777]?.operation.contains("to TCP 10.101.0.1:80") == true)
        #expect(!result.reportsLost)
        #expect(client.writesSent - writesBefore == 1000)

        let snapshot = try client.snapshot()
        #expect(snapshot.count == 102)
        #expect(keys.allSatisfy { snapshot[$0] != nil })
        #expect(keys.reduce(0) { $0 + (snapshot[$1]?.realServers.count ?? 0) } == 898)
        #expect(try Self.savedRules().count == 3 + 100 + 898)

        // Deleting everything the client made leaves the hand-made services exactly as they were.
        let cleanup = client.apply(keys.map { .deleteService($0) })
        #expect(cleanup.failures.isEmpty, "\(cleanup.failures)")
        #expect(try Self.savedRules().sorted() == foreign.sorted())
        let left = try client.snapshot()
        #expect(left.keys.sorted() == [.address(.tcp, IPAddress("10.1.1.1")!, port: 80), .firewallMark(.ipv4, 99)])
        #expect(left[.address(.tcp, IPAddress("10.1.1.1")!, port: 80)]?.service.persistenceTimeout == 120)
        #expect(left.values.flatMap(\.realServers).map(\.server.weight) == [5])
    }

    /// Connections through a NAT service on loopback: statistics, active and inactive counts and
    /// persistence templates as the client reads them equal what `ipvsadm` prints.
    @Test(.userModeLinux, .inGuest(modules: Self.modules))
    func statisticsAndConnectionCounts() async throws {
        let client = try IPVSClient()
        let key = IPVSServiceKey.address(.tcp, IPAddress("127.0.0.1")!, port: 8080)
        let result = client.apply([
            .addService(IPVSVirtualService(key: key, scheduler: "rr", persistenceTimeout: 60)),
            .addRealServer(key, IPVSRealServer(address: IPAddress("127.0.0.1")!, port: 9090)),
        ])
        #expect(result.failures.isEmpty, "\(result.failures)")

        // The listener never accepts: the kernel completes handshakes into its backlog.
        let listener = try Self.tcpSocket(listeningOn: 9090)
        defer { close(listener) }
        var clients: [Int32] = []
        defer { clients.forEach { close($0) } }
        for _ in 0..<3 { clients.append(try Self.tcpSocket(connectingTo: 8080, sending: "hello")) }
        close(clients.removeFirst())
        close(clients.removeFirst())
        // Linux 6.1 sums the per-CPU counters only in its rate estimator, every 2 seconds.
        for _ in 0..<50 where try client.service(key)?.statistics?.connections != 3 {
            usleep(100_000)
        }

        // Read ipvsadm, the client, ipvsadm again; retry if traffic moved the counters in between.
        for attempt in 1...5 {
            let before = try Shell.check("ipvsadm", ["-Ln", "--stats", "--exact"])
            let service = try #require(try client.service(key))
            let server = try #require(try client.realServers(of: key).first)
            let after = try Shell.check("ipvsadm", ["-Ln", "--stats", "--exact"])
            if before != after && attempt < 5 { continue }
            let statistics = try #require(service.statistics)
            #expect(statistics.connections == 3)
            #expect(statistics.incomingPackets > 0 && statistics.outgoingPackets > 0)
            #expect(statistics.incomingBytes > statistics.incomingPackets * 40, "at least IP and TCP headers")
            let entry = try #require(Self.entries(after).first { $0.service.prefix(2) == ["TCP", "127.0.0.1:8080"] })
            #expect(Array(entry.service.dropFirst(2)) == Self.counters(statistics))
            #expect(entry.servers == [["->", "127.0.0.1:9090"] + Self.counters(server.statistics)])
            #expect(server.statistics.connections == 3)
            // One client still connected; two closed (their FIN seen); one persistence template.
            #expect(server.activeConnections == 1)
            #expect(server.inactiveConnections == 2)
            #expect(server.persistentConnections == 1)
            let persistence = try Self.listing("--persistent-conn")
            #expect(
                persistence["TCP 127.0.0.1:8080 rr persistent 60"] == [["->", "127.0.0.1:9090", "1", "1", "1", "2"]],
                "\(persistence)")
            break
        }
        #expect(client.apply([.deleteService(key)]).failures.isEmpty)
    }

    // MARK: - Guest and ipvsadm helpers

    /// `ipvsadm -Sn`, one rule a line, in its order.
    static func savedRules() throws -> [String] {
        try Shell.check("ipvsadm", ["-Sn"]).split(separator: "\n").map(String.init)
    }

    /// `ipvsadm -Ln` with `options`, split into fields: each service line and its real-server rows.
    static func entries(_ output: String) -> [(service: [String], servers: [[String]])] {
        var result: [(service: [String], servers: [[String]])] = []
        // Three header lines, then services, each followed by its "  -> ADDRESS:PORT ..." rows.
        for line in output.split(separator: "\n").dropFirst(3) {
            let fields = line.split(separator: " ").map(String.init)
            if fields.first == "->" {
                if !result.isEmpty { result[result.count - 1].servers.append(fields) }
            } else {
                result.append((fields, []))
            }
        }
        return result
    }

    /// `ipvsadm -Ln` with `options`, by service line (spaces collapsed).
    static func listing(_ options: String...) throws -> [String: [[String]]] {
        let output = try Shell.check("ipvsadm", ["-Ln"] + options)
        return Dictionary(entries(output).map { ($0.service.joined(separator: " "), $0.servers) }) { $1 }
    }

    /// Conns, InPkts, OutPkts, InBytes, OutBytes as `ipvsadm -Ln --stats --exact` prints them.
    static func counters(_ statistics: IPVSStatistics) -> [String] {
        [
            statistics.connections, statistics.incomingPackets, statistics.outgoingPackets, statistics.incomingBytes,
            statistics.outgoingBytes,
        ].map { "\($0)" }
    }

    /// `ipvsadm -Ln --timeout`: "Timeout (tcp tcpfin udp): 900 120 300".
    static func ipvsadmTimeouts() throws -> IPVSTimeouts {
        let numbers =
            try Shell.check("ipvsadm", ["-Ln", "--timeout"]).split(separator: ":").last?
            .split(separator: " ").compactMap { UInt32($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? []
        guard numbers.count == 3 else { throw ShellError(commandLine: ["ipvsadm", "-Ln", "--timeout"]) }
        return IPVSTimeouts(tcp: numbers[0], tcpFin: numbers[1], udp: numbers[2])
    }

    /// How `ipvsadm -Ln` starts a service's line.
    static func listingPrefix(_ key: IPVSServiceKey) -> String {
        switch key {
        case .address(let proto, let address, let port): "\(proto) \(endpoint(address, port)) "
        case .firewallMark(let family, let mark): family == .ipv4 ? "FWM \(mark) " : "FWM \(mark) IPv6 "
        }
    }

    static func endpoint(_ address: IPAddress, _ port: UInt16) -> String {
        address.family == .ipv4 ? "\(address):\(port)" : "[\(address)]:\(port)"
    }

    // MARK: - Sockets

    static func tcpSocket(listeningOn port: UInt16) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = loopback(port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard fd >= 0, bound == 0, listen(fd, 16) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        return fd
    }

    static func tcpSocket(connectingTo port: UInt16, sending text: String) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = loopback(port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        let bytes = Array(text.utf8)
        guard fd >= 0, connected == 0, send(fd, bytes, bytes.count, 0) == bytes.count else {
            let code = errno
            if fd >= 0 { close(fd) }
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
        return fd
    }

    static func loopback(_ port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}
