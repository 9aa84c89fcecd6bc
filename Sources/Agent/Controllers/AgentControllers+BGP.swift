import Addresses
import BGP
import CoreMetrics
import Foundation
import Kubernetes
import NIOPosix
import PodRouting

extension AgentControllers {
    /// The component name in `/readyz`.
    static let bgpComponent = "bgp"

    /// Runs the node's BGP speaker: peers and originated routes follow the Nodes, learned routes
    /// go to the pod routes (when pod routing is on). SIGTERM leaves the peers' copies of this
    /// node's routes in place (graceful restart): the next agent takes over.
    func runBGP(nodes: NodeDirectory, routes: PodRouteSources?, vips: ServiceVIPs) async throws {
        let settings = configuration.bgp
        while !(await nodes.synced) { try await Task.sleep(for: .milliseconds(200)) }
        var plan: BGPNodePlan
        var reported = ""
        while true {
            do {
                plan = try BGPNodePlan.make(
                    configuration: settings, nodes: await nodes.nodes, selfName: nodeName, vips: vips.all,
                    password: Self.readPassword)
                break
            } catch {
                if "\(error)" != reported { logger.error("BGP cannot start yet", metadata: ["reason": "\(error)"]) }
                reported = "\(error)"
                try await Task.sleep(for: .seconds(2))
            }
        }
        for problem in plan.problems { logger.warning("BGP: left out", metadata: ["problem": "\(problem)"]) }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        try await group.next().submit { [namespace] in try namespace.enterOnThisThread() }.get()
        let marker = (configuration.serviceProxy.ownershipRecord as NSString).deletingLastPathComponent + "/bgp-running"
        let restarted = FileManager.default.fileExists(atPath: marker)
        let speaker = try BGPSpeaker(
            configuration: BGPSpeakerConfiguration(
                routerID: plan.routerID, localAS: plan.localAS, listenAddresses: plan.listenAddresses,
                listenPort: Int(settings.port), peers: plan.peers.keys.sorted().compactMap { plan.peers[$0] },
                gracefulRestartTime: settings.gracefulRestart
                    ? UInt16(clamping: settings.restartTime.components.seconds) : nil,
                restarted: restarted),
            eventLoop: group.next(), logger: logger)
        try await speaker.start()
        try await speaker.originate(plan.originated)
        _ = FileManager.default.createFile(atPath: marker, contents: Data())
        control.set(speaker: speaker, plan: plan)
        health.markReady(Self.bgpComponent)
        logger.info(
            "BGP speaker started",
            metadata: [
                "as": "\(plan.localAS)", "peers": "\(plan.peers.count)", "originated": "\(plan.originated.count)",
                "restarted": "\(restarted)",
            ])
        let learning = Task { [logger] in
            for await batch in speaker.bestRouteChanges {
                guard let routes else { continue }
                let changes = batch.map { change -> (prefix: IPPrefix, route: PodRoute?) in
                    let prefix = IPPrefix(change.prefix)
                    switch change {
                    case .bestChanged(let best):
                        return (prefix, BGPNodePlan.kernelRoute(for: best, configuration: settings))
                    case .withdrawn:
                        return (prefix, nil)
                    }
                }
                do {
                    try await routes.setLearned(changes)
                } catch {
                    logger.error(
                        "learned routes not applied", metadata: ["routes": "\(changes.count)", "error": "\(error)"])
                }
            }
        }
        let gauges = BGPPeerMetrics(factory: metrics.factory)
        defer { learning.cancel() }
        var planned = (nodes: -1, vips: -1)
        var ticks = 0
        do {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(1))
                gauges.record(try await speaker.peers())
                // Re-planning reads every Node's annotations: only when a Node or a VIP changed, and
                // every 30 s for the password files (a rotated Secret changes no Node).
                ticks += 1
                let current = (nodes: await nodes.generation, vips: vips.generation)
                guard current != planned || ticks % 30 == 0 else { continue }
                planned = current
                guard
                    let next = try? BGPNodePlan.make(
                        configuration: settings, nodes: await nodes.nodes, selfName: nodeName, vips: vips.all,
                        password: Self.readPassword), next != plan
                else { continue }
                if next.routerID != plan.routerID || next.localAS != plan.localAS {
                    logger.warning("BGP router ID or AS changed; restart the agent to apply it")
                }
                for (address, peer) in next.peers where plan.peers[address] != peer {
                    if plan.peers[address] != nil { try await speaker.removePeer(address) }
                    try await speaker.addPeer(peer)
                }
                for address in plan.peers.keys where next.peers[address] == nil {
                    try await speaker.removePeer(address)
                }
                let gone = plan.originated.keys.filter { next.originated[$0] == nil }
                if !gone.isEmpty { try await speaker.withdraw(gone) }
                let changed = next.originated.filter { plan.originated[$0.key] != $0.value }
                if !changed.isEmpty { try await speaker.originate(changed) }
                for problem in next.problems where !plan.problems.contains(problem) {
                    logger.warning("BGP: left out", metadata: ["problem": "\(problem)"])
                }
                plan = next
                control.set(speaker: speaker, plan: plan)
            }
        } catch is CancellationError {
        } catch {
            logger.error("BGP stopped", metadata: ["error": "\(error)"])
            health.markFailed(Self.bgpComponent, reason: "\(error)")
        }
        control.set(speaker: nil, plan: nil)
        // Peers keep this node's routes as stale until it is back (RFC 4724).
        try? await speaker.stopForRestart()
        try? await group.shutdownGracefully()
    }

    /// A peer's password from its file (a mounted Secret), without a trailing newline.
    @Sendable static func readPassword(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path), var text = String(data: data, encoding: .utf8)
        else { return nil }
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        return text.isEmpty ? nil : text
    }
}

/// Per-peer BGP series: session state and prefix counts.
struct BGPPeerMetrics: Sendable {
    let factory: any MetricsFactory

    /// Records every peer's state now.
    func record(_ peers: [BGPPeerStatus]) {
        for peer in peers {
            let dimensions = [("peer", "\(peer.address)")]
            Gauge(label: "rudder_bgp_session_established", dimensions: dimensions, factory: factory)
                .record(peer.state == .established ? 1 : 0)
            Gauge(label: "rudder_bgp_prefixes_received", dimensions: dimensions, factory: factory)
                .record(peer.prefixesAccepted)
            Gauge(label: "rudder_bgp_prefixes_advertised", dimensions: dimensions, factory: factory)
                .record(peer.prefixesAdvertised)
        }
    }
}
