import Addresses
import Foundation
import Netfilter
import RudderLab
import ServiceProxy
import Testing

/// The masquerade rules through iptables-nft, Debian 12's default, in network namespaces on the
/// host: the User-Mode Linux kernel has no nf_tables and the host kernel has no IPVS, so here the
/// "virtual service" is the backend's own address, reached by plain routing through the node.
/// The mark, the sets and the MASQUERADE act on it exactly as on IPVS traffic.
///
///     client 10.211.0.2 ── 10.211.0.1 node 10.210.1.1 ── 10.210.1.2 backend (TCP 8080)
@Suite(.serialized, .enabled(if: getuid() == 0, "network namespaces need root"))
struct MasqueradeNftTests {
    @Test func rulesReadBackEqualAndRewriteOnlyRuddersServices() throws {
        let node = try NetworkNamespaceFixture(prefix: "rudder-nft-node")
        defer { try? node.remove() }
        let client = try NetworkNamespaceFixture(prefix: "rudder-nft-client")
        defer { try? client.remove() }
        let backend = try NetworkNamespaceFixture(prefix: "rudder-nft-backend")
        defer { try? backend.remove() }
        let links = [
            ("vclient", client, "10.211.0.1", "10.211.0.2"), ("vbackend", backend, "10.210.1.1", "10.210.1.2"),
        ]
        for (link, peer, nodeSide, peerSide) in links {
            try node.addVethPair(link, peer: "eth0", peerNamespace: peer)
            _ = try node.ip("address", "add", "\(nodeSide)/24", "dev", link)
            _ = try peer.ip("address", "add", "\(peerSide)/24", "dev", "eth0")
            _ = try peer.ip("link", "set", "eth0", "up")
            _ = try peer.ip("link", "set", "lo", "up")
            _ = try peer.ip("route", "add", "default", "via", nodeSide)
        }
        let forwarding = try node.run("sysctl", ["-w", "net.ipv4.ip_forward=1"])
        #expect(forwarding.succeeded)
        let server = try TCPNameServer(
            name: "backend", endpoint: SocketEndpoint("10.210.1.2", port: 8080), namespace: backend.namespace)
        defer { server.stop() }
        let backendService = IPSetMember.ipPort(IPAddress("10.210.1.2")!, protocol: .tcp, port: 8080)

        // Only IPv4 here; the rules of both families are the same text.
        let controller = try NetfilterController(namespace: node.namespace, families: [.ipv4], iptablesVariant: "nft")
        let state = MasqueradeState(
            podSubnets: [try IPPrefix(parsing: "10.210.0.0/16")], services: [backendService])
        // The sets, then the rules (iptables-nft-restore).
        #expect(try controller.sync(state) == 4)
        let save = try node.run("iptables-nft-save", ["-t", "nat"])
        #expect(save.succeeded, "\(save.stderr)")
        let observed = MasqueradeRules.nat.observe(save: save.stdout)
        #expect(observed.chains == MasqueradeRules.chainRules(.ipv4), "\(save.stdout)")
        #expect(observed.jumps == MasqueradeRules.nat.wantedJumps, "\(save.stdout)")
        // What iptables-nft prints back is what Rudder writes: nothing to do the second time.
        #expect(try controller.sync(state) == 0)

        // The client is outside the pod network and the backend is one of Rudder's services:
        // masqueraded, the backend sees the node.
        #expect(try peer(seenBy: backend, from: client) == "10.210.1.1")
        // Not Rudder's any more: the client's own address.
        #expect(try controller.update(adding: [], removing: [NetfilterMember(.services, backendService)]) == 1)
        #expect(try peer(seenBy: backend, from: client) == "10.211.0.2")

        #expect(try controller.sync(MasqueradeState(enabled: false)) == 4)
        let after = try node.run("iptables-nft-save", ["-t", "nat"])
        #expect(MasqueradeRules.nat.observe(save: after.stdout) == .init(), "\(after.stdout)")
    }

    /// The address the backend sees for a new connection from the client.
    private func peer(seenBy backend: NetworkNamespaceFixture, from client: NetworkNamespaceFixture) throws -> String {
        let connection = try TCPConnection(to: SocketEndpoint("10.210.1.2", port: 8080), from: client.namespace)
        defer { connection.close() }
        _ = try connection.readLine()
        let lines = try backend.run("ss", ["-Htn", "state", "established", "sport", "= :8080"])
        let peers = lines.stdout.split(separator: "\n").compactMap { line -> String? in
            let columns = line.split(separator: " ")
            return columns.count >= 4 ? String(columns[3].split(separator: ":").first ?? "") : nil
        }
        guard peers.count == 1 else {
            throw TrafficError(operation: "expected one connection in \(backend): \(lines.stdout)")
        }
        return peers[0]
    }
}
