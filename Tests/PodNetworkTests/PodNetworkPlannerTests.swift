import Addresses
import Foundation
import Netlink
import PodNetwork
import Testing

@Suite struct PodNetworkPlannerTests {
    static let settings = PodNetworkSettings()
    static let state = PodNetworkState(
        podCIDRs: [try! IPPrefix(parsing: "10.244.1.0/24"), try! IPPrefix(parsing: "fd00:10:244:1::/64")],
        clusterPodCIDRs: [try! IPPrefix(parsing: "10.244.1.0/24")], mtu: 1480)

    @Test func aFreshNodeGetsTheBridgeWithItsGatewaysBeforeItIsUp() {
        let plan = PodNetworkPlanner.plan(Self.state, settings: Self.settings, links: [], addresses: [])
        #expect(
            plan.operations == [
                .addBridge(name: "kube-bridge", mtu: 1480, hardwareAddress: [0x02, 10, 244, 1, 0, 0x01]),
                .addAddress(link: "kube-bridge", address: IPPrefix(address: IPAddress("10.244.1.1")!, length: 24)),
                .addAddress(
                    link: "kube-bridge", address: IPPrefix(address: IPAddress("fd00:10:244:1::1")!, length: 64)),
                .setUp(name: "kube-bridge"),
            ])
        #expect(plan.problems.isEmpty)
    }

    @Test func aBridgeThatMatchesNeedsNothingAndAFormerGatewayStays() {
        let bridge = Link(index: 7, name: "kube-bridge", kind: "bridge", isUp: true, mtu: 1480)
        let addresses =
            Self.state.gatewayAddresses.map { InterfaceAddress(linkIndex: 7, address: $0) } + [
                InterfaceAddress(linkIndex: 7, address: IPPrefix(address: IPAddress("10.244.9.1")!, length: 24))
            ]
        let plan = PodNetworkPlanner.plan(Self.state, settings: Self.settings, links: [bridge], addresses: addresses)
        #expect(plan.operations.isEmpty)
    }

    @Test func driftIsRepairedPieceByPiece() {
        let bridge = Link(index: 7, name: "kube-bridge", kind: "bridge", isUp: false, mtu: 1500)
        let addresses = [InterfaceAddress(linkIndex: 7, address: Self.state.gatewayAddresses[1])]
        let plan = PodNetworkPlanner.plan(Self.state, settings: Self.settings, links: [bridge], addresses: addresses)
        #expect(
            plan.operations == [
                .setMTU(name: "kube-bridge", mtu: 1480),
                .addAddress(link: "kube-bridge", address: Self.state.gatewayAddresses[0]),
                .setUp(name: "kube-bridge"),
            ])
    }

    @Test func aForeignLinkWithTheBridgesNameIsNamedAndLeftAlone() {
        let dummy = Link(index: 3, name: "kube-bridge", kind: "dummy", isUp: true, mtu: 1500)
        let plan = PodNetworkPlanner.plan(Self.state, settings: Self.settings, links: [dummy], addresses: [])
        #expect(plan.operations.isEmpty)
        #expect(plan.problems.count == 1 && plan.problems[0].contains("is a dummy, not a bridge"), "\(plan.problems)")
    }

    @Test func tunnelsAreAddedChangedAndRemovedAndForeignLinksAreNot() {
        let local = IPAddress("192.168.1.10")!
        let kept = OverlayTunnel(local: local, remote: IPAddress("192.168.2.10")!)
        let moved = OverlayTunnel(local: local, remote: IPAddress("192.168.3.10")!)
        let fresh = OverlayTunnel(local: local, remote: IPAddress("192.168.4.10")!)
        var state = Self.state
        state.tunnels = [kept, moved, fresh]
        let bridge = Link(index: 7, name: "kube-bridge", kind: "bridge", isUp: true, mtu: 1480)
        let links = [
            bridge,
            Link(
                index: 8, name: kept.name, kind: "ipip", isUp: true, mtu: 1480,
                tunnel: IPIPTunnel(local: local, remote: kept.remote)),
            Link(
                index: 9, name: moved.name, kind: "ipip", isUp: true, mtu: 1480,
                tunnel: IPIPTunnel(local: IPAddress("192.168.1.99")!, remote: moved.remote)),
            Link(
                index: 10, name: "rtun0a000001", kind: "ipip", isUp: true, mtu: 1480,
                tunnel: IPIPTunnel(local: local, remote: IPAddress("10.0.0.1")!)),
            // kube-router's tunnel and a link of another kind with a tunnel-like name: not Rudder's.
            Link(index: 11, name: "tun-e443169117a", kind: "ipip", isUp: true, mtu: 1480),
            Link(index: 12, name: "rtun0a000002", kind: "dummy", isUp: true, mtu: 1500),
        ]
        let addresses = Self.state.gatewayAddresses.map { InterfaceAddress(linkIndex: 7, address: $0) }
        let plan = PodNetworkPlanner.plan(state, settings: Self.settings, links: links, addresses: addresses)
        #expect(
            plan.operations == [
                .deleteLink(name: "rtun0a000001"),
                .deleteLink(name: moved.name),
                .addTunnel(
                    name: moved.name, tunnel: IPIPTunnel(local: local, remote: moved.remote), encapsulation: .ipip,
                    mtu: 1480),
                .setUp(name: moved.name),
                .addTunnel(
                    name: fresh.name, tunnel: IPIPTunnel(local: local, remote: fresh.remote), encapsulation: .ipip,
                    mtu: 1480),
                .setUp(name: fresh.name),
            ])
    }

    @Test func gueTunnelsOpenTheirReceivePortFirstOnceAndAreNamedApart() {
        let local = IPAddress("192.168.1.10")!
        var state = Self.state
        state.tunnels = [
            OverlayTunnel(local: local, remote: IPAddress("192.168.2.10")!, encapsulation: .gue(port: 5555)),
            OverlayTunnel(local: local, remote: IPAddress("192.168.3.10")!, encapsulation: .gue(port: 5555)),
        ]
        let bridge = Link(index: 7, name: "kube-bridge", kind: "bridge", isUp: true, mtu: 1480)
        let addresses = Self.state.gatewayAddresses.map { InterfaceAddress(linkIndex: 7, address: $0) }
        // An ipip tunnel to the same node from before the change of encapsulation goes.
        let old = Link(
            index: 8, name: "rtunc0a8020a", kind: "ipip", isUp: true, mtu: 1480,
            tunnel: IPIPTunnel(local: local, remote: IPAddress("192.168.2.10")!))
        let plan = PodNetworkPlanner.plan(
            state, settings: Self.settings, links: [bridge, old], addresses: addresses)
        #expect(plan.operations.first == .addGUEPort(5555))
        #expect(plan.operations.filter { $0 == .addGUEPort(5555) }.count == 1)
        #expect(plan.operations.contains(.deleteLink(name: "rtunc0a8020a")))
        #expect(plan.operations.contains(.setUp(name: "rguec0a8020a")))
        let open = PodNetworkPlanner.plan(
            state, settings: Self.settings, links: [bridge], addresses: addresses, guePorts: [5555])
        #expect(!open.operations.contains(.addGUEPort(5555)))
        #expect(OverlayTunnel.isOwned(name: "rguec0a8020a", kind: "ipip"))
        #expect(OverlayEncapsulation.gue(port: 5555).overhead == 32)
    }

    @Test func tunnelNamesCarryTheRemoteAddressAndOnlyThoseAreOwned() {
        #expect(OverlayTunnel.name(remote: IPAddress("10.0.1.2")!) == "rtun0a000102")
        #expect(OverlayTunnel.isOwned(name: "rtun0a000102", kind: "ipip"))
        #expect(!OverlayTunnel.isOwned(name: "rtun0a000102", kind: "gre"))
        #expect(!OverlayTunnel.isOwned(name: "rtun0a00010", kind: "ipip"))
        #expect(!OverlayTunnel.isOwned(name: "rtun0a00010g", kind: "ipip"))
        #expect(!OverlayTunnel.isOwned(name: "tunl0", kind: "ipip"))
    }

    @Test func theOverlayModeDecidesWhichNodesGetATunnel() {
        let subnet = IPPrefix(address: IPAddress("192.168.1.0")!, length: 24)
        let near = IPAddress("192.168.1.20")!
        let far = IPAddress("192.168.2.20")!
        #expect(!OverlayTunnel.wanted(mode: .subnet, local: subnet, remote: near))
        #expect(OverlayTunnel.wanted(mode: .subnet, local: subnet, remote: far))
        #expect(OverlayTunnel.wanted(mode: .full, local: subnet, remote: near))
        #expect(!OverlayTunnel.wanted(mode: .off, local: subnet, remote: far))
    }
}

@Suite struct CNIConfigurationTests {
    @Test func theConflistIsValidJSONWithOneRangePerFamilyAndPortmapChained() throws {
        let state = PodNetworkState(
            podCIDRs: [try IPPrefix(parsing: "10.244.1.0/24"), try IPPrefix(parsing: "fd00:10:244:1::/64")], mtu: 1450)
        let text = CNIConfiguration(settings: PodNetworkSettings(), state: state).rendered
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(json["cniVersion"] as? String == "0.4.0")
        #expect(json["name"] as? String == "rudder")
        let plugins = try #require(json["plugins"] as? [[String: Any]])
        #expect(plugins.map { $0["type"] as? String } == ["bridge", "portmap"])
        #expect(plugins[0]["bridge"] as? String == "kube-bridge")
        #expect(plugins[0]["isDefaultGateway"] as? Bool == true)
        #expect(plugins[0]["hairpinMode"] as? Bool == true)
        #expect(plugins[0]["mtu"] as? Int == 1450)
        let ipam = try #require(plugins[0]["ipam"] as? [String: Any])
        #expect(ipam["type"] as? String == "host-local")
        let ranges = try #require(ipam["ranges"] as? [[[String: String]]])
        #expect(
            ranges == [
                [["subnet": "10.244.1.0/24", "gateway": "10.244.1.1"]],
                [["subnet": "fd00:10:244:1::/64", "gateway": "fd00:10:244:1::1"]],
            ])
        #expect((plugins[1]["capabilities"] as? [String: Bool]) == ["portMappings": true])
        // The same input renders the same bytes: an unchanged file is never rewritten.
        #expect(CNIConfiguration(settings: PodNetworkSettings(), state: state).rendered == text)
    }

    @Test func onlyNamesThatNeedNoEscapingAreAccepted() {
        #expect(PodNetworkSettings.nameProblem("kube-bridge", maximumLength: 15) == nil)
        #expect(PodNetworkSettings.nameProblem("k8s-pod_network.1", maximumLength: 253) == nil)
        #expect(PodNetworkSettings.nameProblem("odd\"name", maximumLength: 253) != nil)
        #expect(PodNetworkSettings.nameProblem("-leading", maximumLength: 253) != nil)
        #expect(PodNetworkSettings.nameProblem("", maximumLength: 15) != nil)
        #expect(PodNetworkSettings.nameProblem("a-very-long-bridge", maximumLength: 15) != nil)
    }

    @Test func theFileIsWrittenWholeOnlyWhenItChangesAndOthersAreNamedNotTouched() throws {
        let path = NSTemporaryDirectory() + "rudder-cni-unit-\(UInt32.random(in: .min ... .max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let directory = CNIConfigDirectory(path: path, fileName: "10-rudder.conflist")
        #expect(try directory.current() == nil)
        #expect(try directory.write("one\n"))
        #expect(try !directory.write("one\n"))
        #expect(try directory.write("two\n"))
        #expect(try directory.current() == "two\n")
        for name in ["05-calico.conflist", "10-kuberouter.conflist", "99-loopback.conf", "01-notes.txt"] {
            try "x".write(toFile: path + "/" + name, atomically: false, encoding: .utf8)
        }
        // "10-kuberouter" sorts before "10-rudder": kube-router's file wins until the migration hands it over.
        #expect(try directory.earlierConfigurations() == ["05-calico.conflist", "10-kuberouter.conflist"])
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: path).sorted() == [
                "01-notes.txt", "05-calico.conflist", "10-kuberouter.conflist", "10-rudder.conflist",
                "99-loopback.conf",
            ])
    }

    @Test func anUnwritableDirectoryIsOneClearError() {
        let directory = CNIConfigDirectory(path: "/proc/rudder-no-such-dir", fileName: "10-rudder.conflist")
        #expect {
            try directory.write("x")
        } throws: { error in
            "\(error)".hasPrefix("cannot create /proc/rudder-no-such-dir/.10-rudder.conflist.tmp: ")
        }
    }
}

@Suite struct EgressRulesTests {
    @Test func oneRulePerLocalPodCIDRAndTheExemptSetHoldsEveryPodCIDR() throws {
        let table = EgressRules.table(podCIDRs: [
            try IPPrefix(parsing: "10.244.1.0/24"), try IPPrefix(parsing: "fd00::/64"),
        ])
        #expect(
            table.rules(.ipv4) == [
                "RUDDER-POD-EGRESS": [
                    "-A RUDDER-POD-EGRESS -s 10.244.1.0/24 -m set ! --match-set RUDDER-EGRESS-EXEMPT dst -j MASQUERADE"
                ]
            ])
        #expect(table.rules(.ipv6)["RUDDER-POD-EGRESS"]?.first?.contains("RUDDER-EGRESS-EXEMPT-6") == true)
        #expect(table.wantedJumps == ["POSTROUTING": ["-m comment --comment rudder -j RUDDER-POD-EGRESS"]])
        let exempt = EgressRules.exempt(
            clusterPodCIDRs: [try IPPrefix(parsing: "10.244.1.0/24"), try IPPrefix(parsing: "10.244.2.0/24")],
            nonMasquerade: [try IPPrefix(parsing: "172.16.0.0/12"), try IPPrefix(parsing: "fd00::/8")], family: .ipv4)
        #expect(exempt.map(\.description).sorted() == ["10.244.1.0/24", "10.244.2.0/24", "172.16.0.0/12"])
    }
}
