import Foundation
import GuestTesting
import Netfilter
import RudderLab
import ServiceProxy
import Testing

/// `rudder run`'s overlay in a User-Mode Linux guest (the host kernel has no `ipip`): the agent's
/// own controllers, the pod network and the pod routes on a sandbox node's real kernel.
@Suite struct AgentOverlayTests {
    static let modules = ["ipip", "veth", "bridge", "ip_set_hash_net"] + NetfilterController.kernelModules

    /// A tunnel deleted by hand is made again by the repair loop with a new interface index, and
    /// the pod route through it follows at once (the kernel flushed the old one with the link).
    @Test(.userModeLinux, .inGuest(modules: Self.modules))
    func aTunnelMadeAgainTakesItsPodRouteWithIt() async throws {
        let lab = try PodNetworkAgentLab(realRoutes: true) { configuration in
            configuration.podNetwork.settings.overlay = .full
            configuration.podNetwork.settings.iptablesVariant = "legacy"
        }
        defer { lab.tearDown() }
        let tunnel = "rtunc0a8010b"  // node-b, 192.168.1.11
        let route = { try lab.node.ip("route", "show", "10.244.2.0/24") }
        try await lab.run { agent in
            try await Polling.until("node-b's pod CIDR is routed through its tunnel", timeout: .seconds(240)) {
                try route().contains("dev \(tunnel)")
            }
            let before = try lab.node.ip("-o", "link", "show", "dev", tunnel).split(separator: ":").first
            try lab.node.ip("link", "del", tunnel)
            try await Polling.until("the tunnel is back with its route", timeout: .seconds(240)) {
                let index = try? lab.node.ip("-o", "link", "show", "dev", tunnel).split(separator: ":").first
                guard let index, index != before else { return false }
                return try route().contains("dev \(tunnel)")
            }
        }
    }
}
