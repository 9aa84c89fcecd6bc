import Agent
import BGP
import Testing

/// kube-router's Node BGP annotations, read as kube-router reads them; a bad value costs only itself.
@Suite struct NodeBGPAnnotationsTests {
    @Test func theConsolidatedPeersAnnotation() throws {
        let read = NodeBGPAnnotations([
            "kube-router.io/node.asn": "64514",
            "kube-router.io/peers": """
            - remoteip: 192.168.1.99
              remoteasn: 65000
              password: U2VjdXJlUGFzc3dvcmQK
            - remoteip: 2001:db8::1
              remoteasn: 4200000000
              localip: 2001:db8::10
              port: 1790
            """,
            // Ignored: the consolidated annotation wins, as in kube-router.
            "kube-router.io/peer.ips": "10.0.0.1",
            "kube-router.io/peer.asns": "65001",
        ])
        #expect(read.problems.isEmpty, "\(read.problems)")
        #expect(read.asn == 64514)
        #expect(read.peers.count == 2)
        #expect(read.peers[0].address == BGPAddress("192.168.1.99") && read.peers[0].remoteAS == 65000)
        // base64 of "SecurePassword\n", as kube-router's docs make it with echo.
        #expect(read.peers[0].password == "SecurePassword")
        #expect(read.peers[1].localAddress == BGPAddress("2001:db8::10") && read.peers[1].port == 1790)
        #expect(read.peers[1].remoteAS == 4_200_000_000)
        #expect(!"\(read.peers[0])".contains("Secure") && "\(read.peers[0])".contains("password set"))
    }

    @Test func theOlderPositionalAnnotations() {
        let read = NodeBGPAnnotations([
            "kube-router.io/peer.ips": "192.168.1.99,192.168.1.100",
            "kube-router.io/peer.asns": "65000,65000",
            "kube-router.io/peer.passwords": "U2VjdXJlUGFzc3dvcmQK,",
            "kube-router.io/peer.localips": ",10.1.1.2",
        ])
        #expect(read.problems.isEmpty, "\(read.problems)")
        #expect(read.peers.map(\.address) == [BGPAddress("192.168.1.99")!, BGPAddress("192.168.1.100")!])
        #expect(read.peers.map(\.password) == ["SecurePassword", nil])
        #expect(read.peers.map(\.localAddress) == [nil, BGPAddress("10.1.1.2")])
    }

    @Test func prependAndCommunities() {
        let read = NodeBGPAnnotations([
            "kube-router.io/path-prepend.as": "65000",
            "kube-router.io/path-prepend.repeat-n": "5",
            "kube-router.io/node.bgp.communities": "64512:100,no-export,65000:1:2",
        ])
        #expect(read.problems.isEmpty, "\(read.problems)")
        #expect(read.prepend?.asn == 65000 && read.prepend?.count == 5)
        #expect(read.communities == [BGPCommunity(asn: 64512, value: 100), .noExport])
        #expect(read.largeCommunities == [LargeCommunity(65000, 1, 2)])
    }

    /// Each bad value is named and left out; the good ones beside it still apply.
    @Test(
        arguments: [
            (["kube-router.io/node.asn": "sixty"], "kube-router.io/node.asn: 'sixty' is not an AS number"),
            (
                [
                    "kube-router.io/peers":
                        "- remoteip: 10.0.0.1\n  remoteasn: x\n- remoteip: 10.0.0.2\n  remoteasn: 65000"
                ],
                "item 1 (10.0.0.1): remoteasn is missing or not an AS number"
            ),
            (
                ["kube-router.io/peers": "- remoteip: nope\n  remoteasn: 1\n- remoteip: 10.0.0.2\n  remoteasn: 65000"],
                "item 1: remoteip is missing or not an IP address"
            ),
            (
                [
                    "kube-router.io/peers":
                        "- remoteip: 10.0.0.1\n  remoteasn: 1\n  password: '***'\n- remoteip: 10.0.0.2\n  remoteasn: 65000"
                ],
                "password is not base64"
            ),
            (
                ["kube-router.io/peers": "{remoteip: 1", "kube-router.io/node.asn": "65000"],
                "kube-router.io/peers: not YAML"
            ),
            (
                ["kube-router.io/peer.ips": "10.0.0.1,10.0.0.2", "kube-router.io/peer.asns": "65000"],
                "needs one AS number"
            ),
            (
                ["kube-router.io/path-prepend.as": "65000", "kube-router.io/path-prepend.repeat-n": "0"],
                "path-prepend.repeat-n"
            ),
            (["kube-router.io/node.bgp.communities": "64512:100,banana"], "'banana' is not a community"),
        ] as [([String: String], String)])
    func badValuesAreNamedAndLeftOut(annotations: [String: String], message: String) {
        let read = NodeBGPAnnotations(annotations)
        #expect(read.problems.count == 1, "\(read.problems)")
        #expect(read.problems.first?.contains(message) == true, "\(read.problems)")
        if annotations["kube-router.io/peers"]?.contains("10.0.0.2") == true {
            #expect(read.peers.map(\.address) == [BGPAddress("10.0.0.2")!], "the good peer stays")
        }
        if annotations["kube-router.io/node.bgp.communities"] != nil {
            #expect(read.communities == [BGPCommunity(asn: 64512, value: 100)], "the good community stays")
        }
    }
}

/// The `bgp` section of the agent's configuration file.
@Suite struct BGPConfigurationTests {
    @Test func aSectionWithPeersReadsEveryField() throws {
        let configuration = try RudderConfiguration.parse(
            yaml: """
                bgp:
                  enabled: true
                  clusterAS: 4200000001
                  routerID: 192.0.2.10
                  holdTime: 30s
                  nodeMesh: false
                  communities: [65000:100, no-export]
                  advertiseClusterIPs: true
                  peers:
                    - address: 192.0.2.1
                      remoteAS: 65000
                      passwordFile: /etc/rudder/bgp/tor1
                      gtsm: true
                    - address: 2001:db8::1
                      remoteAS: 65000
                      localAddress: 2001:db8::10
                      multihop: 2
                      passive: true
                """, file: "rudder.yaml")
        let bgp = configuration.bgp
        #expect(bgp.enabled && bgp.clusterAS == 4_200_000_001 && bgp.routerID == BGPAddress("192.0.2.10"))
        #expect(bgp.holdTime == .seconds(30) && !bgp.nodeMesh && bgp.advertiseClusterIPs)
        #expect(bgp.communities == ["65000:100", "no-export"])
        #expect(
            bgp.peers == [
                .init(
                    address: BGPAddress("192.0.2.1")!, remoteAS: 65000, passwordFile: "/etc/rudder/bgp/tor1", gtsm: true
                ),
                .init(
                    address: BGPAddress("2001:db8::1")!, remoteAS: 65000, localAddress: BGPAddress("2001:db8::10"),
                    multihop: 2, passive: true),
            ])
    }
}
