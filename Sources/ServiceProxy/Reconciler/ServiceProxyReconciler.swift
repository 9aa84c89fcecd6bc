import Addresses
import IPVS
import Logging
import Netfilter
import Netlink

/// Keeps IPVS and the VIPs equal to the desired Services, one Service at a time.
///
/// A change to one Service plans only that Service's virtual services and touches nothing
/// else. A full resync (read IPVS and the VIPs, plan everything) runs at start-up and as a
/// safety net; it issues no write when the kernel already matches. Rudder changes only the
/// virtual services in its ownership record and adopts them after a restart.
public actor ServiceProxyReconciler {
    /// What one reconciliation did.
    public struct Report: Sendable, CustomStringConvertible {
        /// Operations the kernel accepted.
        public var applied: [IPVSOperation] = []
        /// Operations the kernel refused.
        public var failures: [NetlinkError] = []
        /// Virtual services held by something Rudder does not own, or by another Service.
        public var conflicts: [IPVSServiceKey] = []
        /// Services refused as invalid, with why.
        public var rejected: [ServiceName: [String]] = [:]

        public var description: String {
            "\(applied.count) applied, \(failures.count) failed, \(conflicts.count) conflicts, \(rejected.count) rejected"
        }
    }

    private let kernel: any ServiceKernel
    private let record: OwnershipRecord
    private let logger: Logger
    /// The node-level settings.
    public nonisolated let settings: ProxySettings
    /// How long a removed endpoint may keep its connections.
    public nonisolated let gracePeriod: Duration

    private var index = ServiceIndex()
    private var owned: Set<IPVSServiceKey> = []
    private var bound: Set<IPAddress> = []
    private var draining: [RealServerReference: ContinuousClock.Instant] = [:]
    private var synced = false
    private var frozen: Set<String> = []
    /// VIPs of frozen Services' virtual services, kept bound while those Services are refused.
    private var frozenVIPs: Set<IPAddress> = []
    /// Service set members of frozen Services' virtual services, kept for the same reason.
    private var frozenMembers: Set<IPSetMember> = []
    private var lastMasquerade: MasqueradeState?
    /// Whether this process looked for a firewall left by an earlier one (masquerade off).
    private var checkedLeftovers = false

    /// A reconciler; nothing happens until `resync` or `update`.
    public init(
        kernel: any ServiceKernel, settings: ProxySettings, record: OwnershipRecord,
        gracePeriod: Duration = .seconds(30),
        logger: Logger? = nil
    ) {
        self.kernel = kernel
        self.settings = settings
        self.record = record
        self.gracePeriod = gracePeriod
        self.logger = logger ?? Logger(label: "rudder.serviceproxy")
    }

    /// Replaces the whole desired set (standalone mode, start-up) and reconciles everything.
    ///
    /// Services named in `frozen` were refused before they reached the proxy's model (the agent
    /// could not translate them): like Services with problems, they keep what they had.
    @discardableResult
    public func replaceAll(_ wanted: [ProxiedService], frozen refused: Set<ServiceName> = []) async throws -> Report {
        var report = Report()
        index = ServiceIndex()
        for service in wanted.sorted(by: { $0.name < $1.name }) {
            let problems = service.problems
            guard problems.isEmpty else {
                report.rejected[service.name] = problems
                continue
            }
            _ = index.set(service, settings: settings)
        }
        note(index.conflicts, into: &report)
        // A Service refused now keeps what it had: its recorded virtual services are not planned.
        frozen = Set(report.rejected.keys.map { "\($0)" }).union(refused.map { "\($0)" })
        let resynced = try await resync()
        report.applied = resynced.applied
        report.failures = resynced.failures
        report.conflicts += resynced.conflicts
        return report
    }

    /// Adds or changes one Service; only its virtual services are planned.
    @discardableResult
    public func update(_ service: ProxiedService) async throws -> Report {
        var report = Report()
        let problems = service.problems
        guard problems.isEmpty else {
            report.rejected[service.name] = problems
            logger.error("service rejected", metadata: ["service": "\(service.name)", "problems": "\(problems)"])
            return report
        }
        if !synced { _ = try await resync() }
        let wasFrozen = frozen.remove("\(service.name)") != nil
        try await reconcile(index.set(service, settings: settings), into: &report)
        // Its firewall members were kept as they were while it was refused: make them right.
        if wasFrozen { try await syncMasquerade(force: true) }
        return report
    }

    /// Removes one Service.
    @discardableResult
    public func remove(_ name: ServiceName) async throws -> Report {
        var report = Report()
        if !synced { _ = try await resync() }
        frozen.remove("\(name)")
        try await reconcile(index.remove(name), into: &report)
        return report
    }

    /// Reads IPVS and the VIPs, adopts what the record says is Rudder's, and plans everything.
    @discardableResult
    public func resync() async throws -> Report {
        var report = Report()
        let clock = ContinuousClock()
        var phases = clock.now
        var timings: [String] = []
        func lap(_ phase: String) {
            let now = clock.now
            let elapsed = now - phases
            let milliseconds =
                elapsed.components.seconds * 1_000 + elapsed.components.attoseconds / 1_000_000_000_000_000
            timings.append("\(phase) \(milliseconds) ms")
            phases = now
        }
        if !synced { try await kernel.prepare() }
        // The kernel's table is read for this pass only. Between resyncs the reconciler keeps no
        // copy of it: each update re-reads its own keys anyway (connection counts decide draining),
        // and a 110,000-entry copy was the agent's largest structure.
        let observed = try await kernel.virtualServices()
        bound = try await kernel.boundVIPs()
        lap("read")
        // What this process created, plus what an earlier Rudder recorded: adopted, not recreated.
        let recorded = record.load()
        owned = owned.union(recorded.keys).intersection(observed.keys)
        let frozenKeys = Set(recorded.filter { frozen.contains($0.value) }.keys)
        frozenVIPs = Set(frozenKeys.compactMap { if case .address(_, let address, _) = $0 { address } else { nil } })
        frozenMembers = MasqueradeState.serviceMembers(of: ServiceDataplane(masqueraded: frozenKeys))
        let scope = Set(index.keys).union(observed.keys).subtracting(frozenKeys)
        let plan = ServicePlanner.plan(
            desired: index.desired(scope), observed: observed, owned: owned, keys: Array(scope),
            expired: expiredDrains())
        report.conflicts = plan.conflicts
        lap("plan")
        try await execute(plan, into: &report)
        lap("IPVS")
        try await bindVIPs(wanted: index.vips.union(frozenVIPs), into: &report)
        lap("VIPs")
        try await syncMasquerade(force: true)
        lap("netfilter")
        synced = true
        // Where the time went, so that a slow resync on a big node can be read from the log.
        logger.info(
            "services synced",
            metadata: [
                "report": "\(report)", "owned": "\(owned.count)", "phases": "\(timings.joined(separator: ", "))",
            ])
        return report
    }

    /// Deletes drained real servers: those without connections, and those past their grace period.
    @discardableResult
    public func collectDrained() async throws -> Report {
        var report = Report()
        let keys = Array(Set(draining.keys.map(\.service)))
        guard !keys.isEmpty else { return report }
        let observed = try await kernel.virtualServices(keys)
        let plan = ServicePlanner.plan(
            desired: index.desired(keys), observed: observed, owned: owned, keys: keys, expired: expiredDrains())
        try await execute(plan, into: &report)
        return report
    }

    /// The virtual services Rudder owns, as the kernel has them now.
    public func ownedServices() async throws -> [IPVSServiceKey: ObservedVirtualService] {
        try await kernel.virtualServices(Array(owned)).filter { owned.contains($0.key) }
    }

    /// Which Service each virtual service belongs to.
    public var serviceNames: [IPVSServiceKey: ServiceName] { index.keyOwners }

    // MARK: - Planning

    private func reconcile(_ change: ServiceIndex.Change, into report: inout Report) async throws {
        note(change.conflicts, into: &report)
        let keys = Array(change.keys)
        // Connection counts decide whether a leaving endpoint drains or goes at once, and only
        // the kernel knows them: re-read this Service's virtual services (reads, no writes).
        let observed = try await kernel.virtualServices(keys)
        let plan = ServicePlanner.plan(
            desired: index.desired(keys), observed: observed, owned: owned, keys: keys, expired: expiredDrains())
        report.conflicts += plan.conflicts
        try await execute(plan, into: &report)
        try await bindVIPs(adding: change.vipsAdded, removing: change.vipsRemoved)
        if change.masqueradeChanged { try await updateMasquerade(change) }
    }

    /// Brings the masquerade, hairpin and firewall sets and rules in line with the Services.
    ///
    /// A single Service's change re-checks the kernel only when the wanted state changed; a
    /// resync always does. With masquerade off, netfilter is touched only for the firewall of
    /// Services with `loadBalancerSourceRanges`.
    private func syncMasquerade(force: Bool) async throws {
        let wanted = netfilterState
        guard needsNetfilter(wanted) else {
            // With masquerade off and nothing to firewall, look once for a firewall an earlier run
            // left behind (its Services lost their ranges while no agent ran). Best effort: without
            // the ipset modules there can be none, and a node without them must still sync.
            guard !checkedLeftovers else { return }
            checkedLeftovers = true
            if (try? await kernel.syncMasquerade(wanted)) != nil { lastMasquerade = wanted }
            return
        }
        guard force || wanted != lastMasquerade else { return }
        _ = try await kernel.syncMasquerade(wanted)
        lastMasquerade = wanted
    }

    /// What the netfilter sets should hold now.
    private var netfilterState: MasqueradeState {
        let masquerade = settings.masquerade
        return MasqueradeState(
            enabled: masquerade, podSubnets: masquerade ? Set(settings.podSubnets.map(\.network)) : [],
            loopback: masquerade ? index.hairpinMembers : [],
            services: masquerade ? index.serviceMembers.union(frozenMembers) : [],
            firewall: index.members(of: .firewall), allowedSources: index.members(of: .allowedSources),
            frozenServices: frozenMembers)
    }

    /// Masquerade on, a firewall wanted, or a firewall this process made that must go.
    private func needsNetfilter(_ wanted: MasqueradeState) -> Bool {
        settings.masquerade || !wanted.firewall.isEmpty || !(lastMasquerade?.firewall.isEmpty ?? true)
    }

    /// Applies one Service's set member changes; before the first full sync, or when the
    /// firewall's rules must appear or go, a full sync.
    private func updateMasquerade(_ change: ServiceIndex.Change) async throws {
        guard let firewallBefore = lastMasquerade?.firewall.count else { return try await syncMasquerade(force: true) }
        let masquerade = settings.masquerade
        let relevant = { (entry: NetfilterMember) in masquerade || entry.set.isFirewall }
        let adding = change.masqueradeAdded.filter(relevant)
        // A frozen Service's members stay until it is valid again.
        let removing = change.masqueradeRemoved.filter {
            relevant($0) && !($0.set == .services && frozenMembers.contains($0.member))
        }
        let firewallAfter = lastMasquerade!.firewallCount(adding: adding, removing: removing)
        if (firewallBefore == 0) != (firewallAfter == 0) { return try await syncMasquerade(force: true) }
        guard !adding.isEmpty || !removing.isEmpty else { return }
        _ = try await kernel.updateMasquerade(adding: adding, removing: removing)
        // In place: a copy of the whole state per Service change would cost every Service's members.
        lastMasquerade!.apply(adding: adding, removing: removing)
    }

    /// Reports keys that several Services claim; the first Service by name keeps each.
    private func note(_ conflicts: [(key: IPVSServiceKey, kept: ServiceName)], into report: inout Report) {
        for (key, kept) in conflicts {
            report.conflicts.append(key)
            logger.warning("two services claim one virtual service", metadata: ["key": "\(key)", "kept": "\(kept)"])
        }
    }

    private func expiredDrains() -> Set<RealServerReference> {
        let now = ContinuousClock.now
        return Set(draining.filter { now - $0.value >= gracePeriod }.keys)
    }

    // MARK: - Applying

    private func execute(_ plan: IPVSPlan, into report: inout Report) async throws {
        let now = ContinuousClock.now
        for reference in plan.draining where draining[reference] == nil { draining[reference] = now }
        guard !plan.operations.isEmpty else { return }
        let failures = try await kernel.apply(plan.operations)
        var ownershipChanged = false
        for (index, operation) in plan.operations.enumerated() {
            if let failure = failures[index] {
                report.failures.append(failure)
                logger.error("IPVS operation failed", metadata: ["error": "\(failure)"])
                continue
            }
            report.applied.append(operation)
            ownershipChanged = record(operation) || ownershipChanged
        }
        if ownershipChanged {
            try record.save(
                Dictionary(uniqueKeysWithValues: owned.map { ($0, index.owner(of: $0).map { "\($0)" } ?? "") }))
        }
    }

    /// Notes what a successful operation changed in ownership and draining; true when ownership changed.
    private func record(_ operation: IPVSOperation) -> Bool {
        switch operation {
        case .addService(let service):
            return owned.insert(service.key).inserted
        case .updateService:
            break
        case .deleteService(let key):
            draining = draining.filter { $0.key.service != key }
            return owned.remove(key) != nil
        case .addRealServer(let key, let server), .updateRealServer(let key, let server):
            if server.weight != 0 {
                draining[RealServerReference(service: key, address: server.address, port: server.port)] = nil
            }
        case .deleteRealServer(let key, let address, let port):
            draining[RealServerReference(service: key, address: address, port: port)] = nil
        }
        return false
    }

    /// Binds the VIPs that one Service's change brought and unbinds those it left unused.
    private func bindVIPs(adding: Set<IPAddress>, removing: Set<IPAddress>) async throws {
        let adding = adding.subtracting(bound)
        let removing = removing.intersection(bound).subtracting(frozenVIPs).filter { !settings.isExcluded($0) }
        guard !adding.isEmpty || !removing.isEmpty else { return }
        try await kernel.bindVIPs(adding: adding, removing: removing)
        bound = bound.union(adding).subtracting(removing)
    }

    private func bindVIPs(wanted: Set<IPAddress>, into report: inout Report) async throws {
        let adding = wanted.subtracting(bound)
        // The dummy link exists only to hold VIPs, so any other address on it is a stale VIP,
        // also one left by kube-router on its kube-dummy-if; the kernel's link-local address
        // and excluded ranges stay.
        let linkLocal = try! IPPrefix(parsing: "fe80::/10")
        let removing = bound.subtracting(wanted).filter { !linkLocal.contains($0) && !settings.isExcluded($0) }
        guard !adding.isEmpty || !removing.isEmpty else { return }
        try await kernel.bindVIPs(adding: adding, removing: removing)
        bound = bound.union(adding).subtracting(removing)
    }
}
