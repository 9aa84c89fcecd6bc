import Addresses
import Logging
import Netlink

/// Keeps the node's pod network as the Agent wants it: the bridge before the conflist, the
/// egress masquerade, the overlay's tunnels; and repairs the bridge and the tunnels when the
/// kernel says they changed.
///
/// Each `apply` reads the links once, plans, and writes only the differences: applying an
/// unchanged state sends nothing to the kernel and rewrites no file.
public actor PodNetworkReconciler {
    /// What one pass did.
    public struct Report: Sendable, CustomStringConvertible {
        /// Link and address operations the kernel accepted.
        public var applied: [LinkOperation] = []
        /// What failed, each naming its object.
        public var failures: [String] = []
        /// What stands in the way without failing (a foreign link holding the bridge's name).
        public var problems: [String] = []
        /// Whether the conflist was written.
        public var configurationWritten = false
        /// Other CNI configurations that a runtime picks before Rudder's.
        public var earlierConfigurations: [String] = []
        /// Writes of the egress sets and rules.
        public var egressWrites = 0
        /// Each tunnel's interface index, by remote node address, for the pod routes through it.
        public var tunnelLinks: [IPAddress: Int32] = [:]

        public var description: String {
            "\(applied.count) link changes, \(failures.count) failed, \(problems.count) problems, conflist "
                + (configurationWritten ? "written" : "unchanged") + ", \(egressWrites) egress writes"
        }
    }

    private let kernel: any PodNetworkKernel
    private let egress: EgressController?
    private let directory: CNIConfigDirectory
    /// The layout this reconciler keeps.
    public nonisolated let settings: PodNetworkSettings
    private let logger: Logger
    private var wanted: PodNetworkState?
    /// The bridge's index as last seen, to recognise events about its addresses.
    private var bridgeIndex: Int32?
    /// How many times kernel events led to a repair that changed something.
    public private(set) var repairs = 0
    /// Whether `run` is subscribed to the kernel's events, so a change from now on is repaired.
    public private(set) var isFollowing = false
    /// How many times the conflist was written.
    public private(set) var configurationWrites = 0

    /// A reconciler over `kernel`; `egress` is nil where the masquerade is not wanted at all.
    public init(
        kernel: any PodNetworkKernel, egress: EgressController?, settings: PodNetworkSettings, logger: Logger? = nil
    ) {
        self.kernel = kernel
        self.egress = egress
        self.settings = settings
        directory = CNIConfigDirectory(path: settings.configDirectory, fileName: settings.configFileName)
        self.logger = logger ?? Logger(label: "rudder.podnetwork")
    }

    /// Writes the kernel's links, the conflist and the egress rules, in that order, until they match `state`.
    @discardableResult
    public func apply(_ state: PodNetworkState) async -> Report {
        wanted = state
        var report = Report()
        let links: [Link]
        let addresses: [InterfaceAddress]
        do {
            links = try await kernel.links()
            addresses = try await kernel.addresses()
        } catch {
            report.failures.append("cannot read the node's links: \(error)")
            return report
        }
        bridgeIndex = links.first { $0.name == settings.bridgeName }?.index
        var guePorts: [UInt16] = []
        if state.tunnels.contains(where: { $0.encapsulation != .ipip }) {
            do {
                guePorts = try await kernel.guePorts()
            } catch {
                report.failures.append("cannot list the GUE ports (is the fou module loaded?): \(error)")
            }
        }
        let plan = PodNetworkPlanner.plan(
            state, settings: settings, links: links, addresses: addresses, guePorts: guePorts)
        report.problems = plan.problems
        let failures = plan.operations.isEmpty ? [:] : await kernel.apply(plan.operations)
        for (index, operation) in plan.operations.enumerated() {
            if let failure = failures[index] {
                report.failures.append("\(operation): \(failure)")
            } else {
                report.applied.append(operation)
            }
        }
        // A runtime that finds the conflist attaches pods at once: the bridge must be there first.
        let bridgeReady =
            !plan.bridgeBlocked
            && !failures.keys.contains { plan.operations[$0].linkName == settings.bridgeName }
        if !state.podCIDRs.isEmpty, bridgeReady {
            do {
                let text = CNIConfiguration(settings: settings, state: state).rendered
                report.configurationWritten = try directory.write(text)
                if report.configurationWritten { configurationWrites += 1 }
            } catch {
                report.failures.append("\(error)")
            }
        }
        do {
            report.earlierConfigurations = try directory.earlierConfigurations()
        } catch {
            report.failures.append("\(error)")
        }
        if let egress {
            do {
                report.egressWrites = try await egress.apply(
                    state, settings: settings, enabled: settings.egressMasquerade)
            } catch {
                report.failures.append("pod egress masquerade: \(error)")
            }
        }
        report.tunnelLinks = await tunnelLinks(state.tunnels, known: plan.operations.isEmpty ? links : nil)
        for failure in report.failures { logger.error("pod network", metadata: ["failure": "\(failure)"]) }
        if !report.applied.isEmpty || report.configurationWritten || report.egressWrites > 0 {
            logger.info("pod network applied", metadata: ["report": "\(report)"])
        }
        return report
    }

    /// The link that holds `address` (the node's own): its MTU, and the subnet it is on, which
    /// decides which nodes the `subnet` overlay tunnels to; nil when no link holds it.
    public func underlay(for address: IPAddress) async throws -> (mtu: UInt32, subnet: IPPrefix)? {
        guard let held = try await kernel.addresses().first(where: { $0.address.address == address }),
            let link = try await kernel.links().first(where: { $0.index == held.linkIndex })
        else { return nil }
        return (link.mtu, held.address.network)
    }

    /// The current index of each wanted tunnel, from `known` links or a fresh read after changes.
    private func tunnelLinks(_ tunnels: [OverlayTunnel], known: [Link]?) async -> [IPAddress: Int32] {
        guard !tunnels.isEmpty else { return [:] }
        let links: [Link]
        if let known {
            links = known
        } else {
            guard let read = try? await kernel.links() else { return [:] }
            links = read
        }
        let byName = Dictionary(links.map { ($0.name, $0.index) }, uniquingKeysWith: { first, _ in first })
        var result: [IPAddress: Int32] = [:]
        for tunnel in tunnels { result[tunnel.remote] = byName[tunnel.name] }
        return result
    }

    /// Follows the kernel's link and address events until cancelled, re-applying the last state
    /// when the bridge or a tunnel changed; `onRepair` hears each repair that changed something.
    public func run(onRepair: (@Sendable (Report) -> Void)? = nil) async throws {
        let events = try kernel.events()
        isFollowing = true
        defer { isFollowing = false }
        // Events come in bursts (a deleted bridge: its addresses, then the link, and the repair's
        // own changes): a buffer of one turns a burst into one repair pass, not one per event.
        let (signals, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        // One pass as soon as the events are followed: a change between the last apply and the
        // subscription (a pod leaving the bridge resets its MTU) has no event left to tell of it.
        continuation.yield()
        let follower = Task {
            for await event in events where self.concerns(event) { continuation.yield() }
            continuation.finish()
        }
        defer { follower.cancel() }
        for await _ in signals {
            guard let wanted else { continue }
            let report = await apply(wanted)
            if !report.applied.isEmpty || report.configurationWritten {
                repairs += 1
                logger.warning("pod network repaired", metadata: ["report": "\(report)"])
                onRepair?(report)
            }
        }
    }

    /// Whether an event is about the bridge or a tunnel of Rudder's.
    private func concerns(_ event: NetlinkEvent) -> Bool {
        switch event {
        case .linkChanged(let link), .linkDeleted(let link):
            if link.name == settings.bridgeName {
                bridgeIndex = link.index
                return true
            }
            return OverlayTunnel.isOwned(name: link.name, kind: link.kind)
        case .addressDeleted(let address): return address.linkIndex == bridgeIndex
        case .overrun: return true
        case .addressAdded, .routeAdded, .routeDeleted: return false
        }
    }
}
