import Addresses
import Foundation
import IPVS
import Netfilter
import Netlink
import PodNetwork
import PodRouting
import ServiceProxy

/// `rudder cleanup`: removes from a node everything Rudder owns, for an uninstall or a rollback,
/// and nothing else.
///
/// What Rudder owns is what its ownership rules name: routes of its protocol in its table, the
/// IPVS services in its ownership record, its dummy link (and with it the VIPs on it), and the
/// `RUDDER-*` chains, jumps and ipsets. Foreign routes, IPVS services missing from the record,
/// and other sets and rules stay byte for byte. Run it with the agent stopped: a running agent
/// would put everything back.
public enum NodeCleanup {
    /// One thing removed (or, in a dry run, to remove), in the words the command prints.
    public struct Step: Sendable, Equatable, CustomStringConvertible {
        /// What it is: "route 10.244.2.0/24 table main proto 44".
        public var description: String
    }

    /// What a run removed, and what it could not.
    public struct Outcome: Sendable {
        /// What was removed (or would be, in a dry run), in order.
        public var steps: [Step] = []
        /// What failed, each naming the object; the rest went on.
        public var failures: [String] = []
    }

    /// Removes what `configuration` says Rudder owns in the network namespace named
    /// `namespaceName` (nil: this one); with `dryRun`, only says what it would remove.
    public static func run(
        configuration: RudderConfiguration, namespaceName: String?, dryRun: Bool
    ) async throws -> Outcome {
        let namespace = NetworkNamespace(name: namespaceName)
        var outcome = Outcome()
        func attempt(_ what: String, _ body: () throws -> Void) {
            do {
                if !dryRun { try body() }
                outcome.steps.append(Step(description: what))
            } catch {
                outcome.failures.append("\(what): \(error)")
            }
        }

        // Routes first: a node without them stops attracting pod traffic it can no longer serve.
        let netlink = try Rtnetlink(namespace: namespace)
        let routing = configuration.podRoutingSettings
        for route in try netlink.routes(protocolNumber: routing.protocolNumber).filter(routing.owns)
            .sorted(by: { $0.key < $1.key })
        {
            let table = route.table == Route.mainTable ? "main" : "\(route.table)"
            attempt("route \(route.destination) table \(table) proto \(routing.protocolNumber)") {
                try netlink.delete(route)
            }
        }

        // IPVS services of the record only: one missing from it was never Rudder's.
        let proxy = configuration.serviceProxy
        let record = OwnershipRecord(path: proxy.ownershipRecord)
        let owned = record.load()
        if !owned.isEmpty {
            do {
                let ipvs = try IPVSClient(namespace: namespace)
                let existing = Set(try ipvs.services().map(\.key))
                for key in owned.keys.sorted() where existing.contains(key) {
                    let name = owned[key].map { $0.isEmpty ? "" : " (\($0))" } ?? ""
                    attempt("IPVS service \(key)\(name)") {
                        try ipvs.apply([.deleteService(key)]).throwFirst()
                    }
                }
            } catch {
                outcome.failures.append("IPVS: \(error)")
            }
        }

        // The dummy link carries only Rudder's VIPs; deleting it removes them all at once.
        let dummy = proxy.settings.dummyInterface
        if try netlink.link(named: dummy) != nil {
            attempt("link \(dummy) with its VIPs") { try netlink.deleteLink(named: dummy) }
        }

        // The overlay's tunnels; the pod bridge stays, since running pods are attached to it.
        for link in try netlink.links() where OverlayTunnel.isOwned(name: link.name, kind: link.kind) {
            attempt("tunnel \(link.name) to \(link.tunnel.map { "\($0.remote)" } ?? "?")") {
                try netlink.deleteLink(named: link.name)
            }
        }

        // Chains and jumps, then the sets they name; only RUDDER-* exist to be found.
        let podNetwork = configuration.podNetwork.settings
        do {
            let egress = try EgressController(namespace: namespace, iptablesVariant: podNetwork.iptablesVariant)
            let names = [AddressFamily.ipv4, .ipv6].map(EgressRules.exemptSet)
            let sets = try IPSetClient(namespace: namespace).names()
            if sets.contains(where: names.contains) {
                attempt("netfilter: the pod egress chain \(EgressRules.chain) and its sets") {
                    try egress.sync(PodNetworkState(podCIDRs: [], mtu: 1500), settings: podNetwork, enabled: false)
                }
            }
        } catch {
            outcome.failures.append("pod egress: \(error)")
        }
        do {
            let netfilter = try NetfilterController(
                namespace: namespace, iptablesVariant: proxy.settings.iptablesVariant)
            let sets = try netfilter.ownedSets()
            if !sets.isEmpty {
                attempt("netfilter: Rudder's chains and jumps, and the sets \(sets.joined(separator: ", "))") {
                    try netfilter.removeAll()
                }
            }
        } catch {
            outcome.failures.append("netfilter: \(error)")
        }

        // The conflist: without it the runtime attaches no new pod to Rudder's network.
        let conflist = CNIConfigDirectory(path: podNetwork.configDirectory, fileName: podNetwork.configFileName)
        if FileManager.default.fileExists(atPath: conflist.filePath) {
            attempt("file \(conflist.filePath)") { try conflist.remove() }
        }

        // Last the files that say what Rudder holds: without them a new agent starts afresh.
        let marker = (proxy.ownershipRecord as NSString).deletingLastPathComponent + "/bgp-running"
        for file in [proxy.ownershipRecord, marker] where FileManager.default.fileExists(atPath: file) {
            attempt("file \(file)") { try FileManager.default.removeItem(atPath: file) }
        }
        return outcome
    }
}
