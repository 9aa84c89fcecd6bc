import IPVS
import Logging
import Netlink
import ServiceProxy

/// `rudder proxy`: apply a services file once, and show IPVS like `ipvsadm -Ln` with Service names.
public enum StandaloneProxy {
    /// Where the ownership record is kept unless told otherwise.
    public static let defaultRecordPath = OwnershipRecord.defaultPath

    /// What one application did, in the words the command prints.
    public struct Outcome: Sendable {
        /// One line: operations applied, failed, conflicts and the file's problems.
        public var summary: String
        /// One line for each failed operation and each conflict.
        public var errors: [String]
        /// Whether an operation failed.
        public var failed: Bool

        init(_ report: ServiceProxyReconciler.Report, file: ServicesFile) {
            let problems = Set(file.problems.map(\.line)).count
            summary =
                "applied \(report.applied.count) IPVS operations for \(file.services.count) services; "
                + "\(report.failures.count) failed, \(report.conflicts.count) conflicts, \(problems) problems in the file"
            errors =
                report.failures.map { "failed: \($0)" }
                + report.conflicts.map { "conflict: \($0) is held by something Rudder does not own" }
            failed = !report.failures.isEmpty
        }
    }

    /// Applies the valid services of `file` in the network namespace named `namespaceName` (nil:
    /// this one), with the ownership record at `recordPath`, and hands each outcome to `applied`;
    /// the file's problems are the caller's to print.
    ///
    /// With `watch` it keeps running until cancelled: drained endpoints are collected every
    /// second and everything is resynced every `resyncInterval`.
    public static func apply(
        _ file: ServicesFile, namespaceName: String?, recordPath: String, watch: Bool = false,
        resyncInterval: Duration = .seconds(300), logger: Logger, applied: @Sendable (Outcome) -> Void
    ) async throws {
        let namespace = NetworkNamespace(name: namespaceName)
        let record = OwnershipRecord(path: recordPath)
        let kernel = try NetlinkServiceKernel(
            namespace: namespace, dummyInterface: file.settings.dummyInterface,
            nodeAddresses: file.settings.nodeAddresses, iptablesVariant: file.settings.iptablesVariant)
        let reconciler = ServiceProxyReconciler(kernel: kernel, settings: file.settings, record: record, logger: logger)
        applied(Outcome(try await reconciler.replaceAll(file.services), file: file))
        guard watch else { return }
        var sinceResync = Duration.zero
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(1))
            sinceResync += .seconds(1)
            do {
                try await reconciler.collectDrained()
                if sinceResync >= resyncInterval {
                    sinceResync = .zero
                    try await reconciler.resync()
                }
            } catch {
                logger.error("service proxy sync failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// The IPVS table in `ipvsadm -Ln` layout, each virtual service followed by its Service's
    /// name, or by "(not Rudder's)" for one Rudder does not own; in the namespace named
    /// `namespaceName` (nil: this one), with the ownership record at `recordPath`.
    public static func list(namespaceName: String?, recordPath: String) async throws -> [String] {
        let (services, names) = try await table(namespaceName: namespaceName, recordPath: recordPath)
        var lines = [
            "Prot LocalAddress:Port Scheduler Flags",
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn",
        ]
        for key in services.keys.sorted() {
            let entry = services[key]!
            let owner = names[key].map { $0.isEmpty ? "" : "  # \($0)" } ?? "  # (not Rudder's)"
            lines.append(describe(entry.service) + owner)
            for server in entry.realServers.sorted(by: {
                ($0.server.address, $0.server.port) < ($1.server.address, $1.server.port)
            }) {
                let endpoint =
                    server.server.address.family == .ipv4
                    ? "\(server.server.address):\(server.server.port)"
                    : "[\(server.server.address)]:\(server.server.port)"
                lines.append(
                    "  -> " + endpoint.padding(28) + " " + "\(server.server.forwarding)".padding(7) + " "
                        + "\(server.server.weight)".padding(6) + " " + "\(server.activeConnections)".padding(10) + " "
                        + "\(server.inactiveConnections)")
            }
        }
        return lines
    }

    /// The IPVS table as JSON (`rudder proxy list -o json`): every virtual service with its
    /// owner (the Service's name, or null for one Rudder does not own) and its real servers.
    public static func listJSON(namespaceName: String?, recordPath: String) async throws -> String {
        struct RealServer: Encodable {
            var address: String, port: UInt16, forwarding: String
            var weight: Int32, activeConnections: UInt32, inactiveConnections: UInt32
        }
        struct VirtualService: Encodable {
            var service: String, scheduler: String, persistenceSeconds: UInt32
            var owner: String?, owned: Bool, realServers: [RealServer]
        }
        let (services, names) = try await table(namespaceName: namespaceName, recordPath: recordPath)
        return JSONListing.render(
            services.keys.sorted().map { key in
                let entry = services[key]!
                return VirtualService(
                    service: "\(key)", scheduler: entry.service.scheduler,
                    persistenceSeconds: entry.service.persistenceTimeout,
                    owner: names[key].flatMap { $0.isEmpty ? nil : $0 }, owned: names[key] != nil,
                    realServers: entry.realServers.sorted {
                        ($0.server.address, $0.server.port) < ($1.server.address, $1.server.port)
                    }.map {
                        RealServer(
                            address: "\($0.server.address)", port: $0.server.port,
                            forwarding: "\($0.server.forwarding)",
                            weight: Int32($0.server.weight), activeConnections: $0.activeConnections,
                            inactiveConnections: $0.inactiveConnections)
                    })
            })
    }

    /// The IPVS table and the ownership record's names; what both listings read.
    private static func table(
        namespaceName: String?, recordPath: String
    ) async throws -> ([IPVSServiceKey: ObservedVirtualService], [IPVSServiceKey: String]) {
        let kernel = try NetlinkServiceKernel(namespace: NetworkNamespace(name: namespaceName))
        return (try await kernel.virtualServices(), OwnershipRecord(path: recordPath).load())
    }

    private static func describe(_ service: IPVSVirtualService) -> String {
        var text: String
        switch service.key {
        case .address(let transport, let address, let port):
            let endpoint = address.family == .ipv4 ? "\(address):\(port)" : "[\(address)]:\(port)"
            text = "\(transport)".padding(4) + " " + endpoint + " " + service.scheduler
        case .firewallMark(let family, let mark):
            text = "FWM  \(mark) \(family == .ipv4 ? "IPv4" : "IPv6") " + service.scheduler
        }
        var flags: [String] = []
        if service.effectiveFlags.contains(.sched1) { flags.append("flag-1") }
        if service.effectiveFlags.contains(.sched2) { flags.append("flag-2") }
        if service.effectiveFlags.contains(.sched3) { flags.append("flag-3") }
        if !flags.isEmpty { text += " (\(flags.joined(separator: ",")))" }
        if service.persistenceTimeout > 0 { text += " persistent \(service.persistenceTimeout)" }
        return text
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
