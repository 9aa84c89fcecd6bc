import Addresses
import BGP
import BGPSpeaker
import CoreMetrics
import Foundation
import Kubernetes
import KubernetesModel
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
        // Re-plan when a Node or a VIP changes, and every 30 s for the password files (a rotated
        // Secret changes no Node); a burst of changes is one re-plan.
        let (replans, replan) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let triggers = [nodes.changed.changes(), vips.changed.changes()].map { changes in
            Task {
                for await _ in changes { replan.yield() }
            }
        }
        let passwordTicker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(30))
                replan.yield()
            }
        }
        defer {
            for task in triggers + [passwordTicker] { task.cancel() }
            replan.finish()
        }
        var wakeUps = replans.makeAsyncIterator()
        await nodes.waitForSync()
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
                // This node's Node object (or its address) is what is missing: wait for a change.
                guard await wakeUps.next() != nil else { return }
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
        let learning = Task {
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
                await routes.setLearned(changes)
            }
        }
        let gauges = BGPPeerMetrics(factory: metrics.factory)
        // The session gauges are sampled: a speaker's counters have no event to follow.
        let sampler = Task { [logger] in
            var recorded: Set<String> = []
            while !Task.isCancelled {
                do {
                    recorded = gauges.record(try await speaker.peers(), previous: recorded)
                } catch {
                    logger.debug("BGP peers not sampled", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
        defer {
            learning.cancel()
            sampler.cancel()
        }
        do {
            while await wakeUps.next() != nil, !Task.isCancelled {
                guard
                    let next = try? BGPNodePlan.make(
                        configuration: settings, nodes: await nodes.nodes, selfName: nodeName, vips: vips.all,
                        password: Self.readPassword), next != plan
                else { continue }
                try await apply(BGPNodePlan.changes(from: plan, to: next), to: speaker)
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

    /// Hands one plan change to the speaker: sessions first, then originated routes.
    private func apply(_ changes: BGPNodePlan.Changes, to speaker: BGPSpeaker) async throws {
        if changes.identityChanged {
            logger.warning("BGP router ID or AS changed; restart the agent to apply it")
        }
        for address in changes.removedPeers { try await speaker.removePeer(address) }
        for peer in changes.addedPeers { try await speaker.addPeer(peer) }
        if !changes.withdrawn.isEmpty { try await speaker.withdraw(changes.withdrawn) }
        if !changes.announced.isEmpty { try await speaker.originate(changes.announced) }
        for problem in changes.newProblems { logger.warning("BGP: left out", metadata: ["problem": "\(problem)"]) }
    }

    /// A peer's password from its file (a mounted Secret), without a trailing newline.
    @Sendable static func readPassword(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path), var text = String(data: data, encoding: .utf8)
        else { return nil }
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        return text.isEmpty ? nil : text
    }
}

/// Per-peer BGP series: session state and prefix counts, removed with the peer, so a peer taken
/// out of the configuration or the Node annotations leaves no series frozen at its last value.
package struct BGPPeerMetrics: Sendable {
    package let factory: any MetricsFactory
    private static let labels = [
        "rudder_bgp_session_established", "rudder_bgp_prefixes_received", "rudder_bgp_prefixes_advertised",
    ]

    package init(factory: any MetricsFactory) {
        self.factory = factory
    }

    /// Records every peer's state now, removes the series of the peers in `previous` that are
    /// gone, and returns the peers recorded, for the next call.
    @discardableResult
    package func record(_ peers: [BGPPeerStatus], previous: Set<String> = []) -> Set<String> {
        var recorded: Set<String> = []
        for peer in peers {
            let name = "\(peer.address)"
            recorded.insert(name)
            let values = [peer.state == .established ? 1 : 0, peer.prefixesAccepted, peer.prefixesAdvertised]
            for (label, value) in zip(Self.labels, values) {
                Gauge(label: label, dimensions: [("peer", name)], factory: factory).record(value)
            }
        }
        for gone in previous.subtracting(recorded) {
            for label in Self.labels { Gauge(label: label, dimensions: [("peer", gone)], factory: factory).destroy() }
        }
        return recorded
    }
}
