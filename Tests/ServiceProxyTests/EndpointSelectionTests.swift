import Addresses
import IPVS
import ServiceProxy
import Testing

/// Which endpoints, ports and addresses a Service gets, where kube-proxy's IPVS mode decides
/// (`CategorizeEndpoints`, `topologyModeFromHints`, the per-family NodePorts and the
/// load-balancer firewall): the cases a real cluster sends that an earlier translator got wrong.
@Suite struct EndpointSelectionTests {
    let settings = ProxySettings(nodeAddresses: [IPAddress("192.168.1.10")!, IPAddress("fd00:1::10")!])

    func key(_ address: String, _ port: UInt16, _ transport: IPVSProtocol = .tcp) -> IPVSServiceKey {
        .address(transport, IPAddress(address)!, port: port)
    }

    func servers(_ plane: ServiceDataplane, _ key: IPVSServiceKey) -> [String] {
        (plane.virtualServices[key]?.realServers ?? []).map { "\($0.address):\($0.port)" }.sorted()
    }

    func endpoint(
        _ address: String, port: Int? = 8080, local: Bool = false, ready: Bool = true, serving: Bool = true,
        terminating: Bool = false, node: Bool? = nil, zone: Bool? = nil
    ) -> ServiceEndpoint {
        ServiceEndpoint(
            address: IPAddress(address)!, ports: port.map { ["": $0] } ?? [:], isLocal: local, ready: ready,
            serving: serving, terminating: terminating, hintedForThisNode: node, hintedForThisZone: zone)
    }

    func service(
        _ endpoints: [ServiceEndpoint], external: ProxiedService.TrafficPolicy = .cluster, nodePort: Int? = 30080
    ) -> ProxiedService {
        ProxiedService(
            name: ServiceName(namespace: "default", name: "web"), clusterIPs: [IPAddress("10.96.0.10")!],
            ports: [ServicePort(port: 80, nodePort: nodePort, targetPort: 80, requiresEndpointPort: true)],
            externalTrafficPolicy: external, endpoints: endpoints)
    }

    /// An EndpointSlice's port is the only source of the real server's port: the Service's
    /// targetPort (80 here) is never a fallback, and an endpoint without the port is left out.
    @Test func theEndpointsPortIsTheOnlyPort() {
        let plane = ServiceTranslator.dataplane(
            for: service([endpoint("10.244.1.5", port: 9376), endpoint("10.244.1.6", port: nil)]), settings: settings)
        #expect(servers(plane, key("10.96.0.10", 80)) == ["10.244.1.5:9376"])
    }

    /// A rolling update of an externalTrafficPolicy Local Service: this node's only pod is
    /// terminating but still serving, another node's pod is ready. The NodePort keeps the local pod.
    @Test func localPolicyFallsBackToALocalServingTerminatingEndpoint() {
        let endpoints = [
            endpoint("10.244.1.5", local: true, ready: false, serving: true, terminating: true),
            endpoint("10.244.2.5"),
        ]
        let plane = ServiceTranslator.dataplane(for: service(endpoints, external: .local), settings: settings)
        #expect(servers(plane, key("192.168.1.10", 30080)) == ["10.244.1.5:8080"])
        // The ClusterIP (Cluster policy) has a ready endpoint, so only that one.
        #expect(servers(plane, key("10.96.0.10", 80)) == ["10.244.2.5:8080"])
        // A local pod that no longer serves is never used.
        let gone = [endpoint("10.244.1.5", local: true, ready: false, serving: false, terminating: true)]
        let none = ServiceTranslator.dataplane(for: service(gone, external: .local), settings: settings)
        #expect(servers(none, key("192.168.1.10", 30080)).isEmpty)
    }

    /// An IPv4-only Service on a dual-stack node has NodePorts on the IPv4 address only; a dual-stack one on both.
    @Test func nodePortsOnlyInTheServicesFamilies() {
        var v4 = service([endpoint("10.244.1.5")])
        #expect(
            Set(ServiceTranslator.dataplane(for: v4, settings: settings).virtualServices.keys) == [
                key("10.96.0.10", 80), key("192.168.1.10", 30080),
            ])
        v4.ipFamilies = [.ipv4, .ipv6]
        #expect(
            ServiceTranslator.dataplane(for: v4, settings: settings).virtualServices[key("fd00:1::10", 30080)] != nil)
        // A Service with no ClusterIP and no families (a services file's NodePort only) listens in both.
        v4.ipFamilies = []
        v4.clusterIPs = []
        #expect(ServiceTranslator.dataplane(for: v4, settings: settings).virtualServices.count == 2)
    }

    /// Zone hints narrow a Cluster Service to this zone's endpoints when every ready endpoint has
    /// hints and some are for this zone; otherwise all ready endpoints serve.
    @Test func zoneHintsNarrowTheClusterEndpoints() {
        let hinted = [
            endpoint("10.244.1.5", zone: true), endpoint("10.244.2.5", zone: false), endpoint("10.244.3.5", zone: true),
        ]
        let plane = ServiceTranslator.dataplane(for: service(hinted), settings: settings)
        #expect(servers(plane, key("10.96.0.10", 80)) == ["10.244.1.5:8080", "10.244.3.5:8080"])
        // One ready endpoint without hints: the hints are not trusted.
        let partial = hinted + [endpoint("10.244.4.5")]
        #expect(
            servers(ServiceTranslator.dataplane(for: service(partial), settings: settings), key("10.96.0.10", 80)).count
                == 4)
        // No endpoint for this zone: all of them.
        let elsewhere = [endpoint("10.244.1.5", zone: false), endpoint("10.244.2.5", zone: false)]
        #expect(
            servers(ServiceTranslator.dataplane(for: service(elsewhere), settings: settings), key("10.96.0.10", 80))
                .count == 2)
        // A not-ready endpoint without hints does not count against them.
        let withDraining = hinted + [endpoint("10.244.5.5", ready: false, serving: true, terminating: true)]
        #expect(
            servers(ServiceTranslator.dataplane(for: service(withDraining), settings: settings), key("10.96.0.10", 80))
                .count == 2)
    }

    /// Node hints (PreferSameNode) come before zone hints.
    @Test func nodeHintsComeBeforeZoneHints() {
        let hinted = [
            endpoint("10.244.1.5", node: true, zone: true), endpoint("10.244.2.5", node: false, zone: true),
        ]
        let plane = ServiceTranslator.dataplane(for: service(hinted), settings: settings)
        #expect(servers(plane, key("10.96.0.10", 80)) == ["10.244.1.5:8080"])
    }

    /// Hints never narrow a Local policy: it already keeps this node's endpoints.
    @Test func hintsLeaveLocalPoliciesAlone() {
        let hinted = [endpoint("10.244.1.5", local: true, zone: false), endpoint("10.244.2.5", zone: true)]
        let plane = ServiceTranslator.dataplane(for: service(hinted, external: .local), settings: settings)
        #expect(servers(plane, key("192.168.1.10", 30080)) == ["10.244.1.5:8080"])
        #expect(servers(plane, key("10.96.0.10", 80)) == ["10.244.2.5:8080"])
    }

    /// Source ranges firewall the load-balancer IPs only, each with the ranges of its family; an
    /// IPv6 load-balancer IP with only IPv4 ranges accepts no source at all.
    @Test func sourceRangesFirewallTheLoadBalancerIPs() throws {
        var web = service([endpoint("10.244.1.5")])
        web.externalIPs = [IPAddress("203.0.113.5")!]
        web.loadBalancerIPs = [IPAddress("198.51.100.7")!, IPAddress("2001:db8::7")!]
        web.loadBalancerSourceRanges = [try IPPrefix(parsing: "192.0.2.0/24"), try IPPrefix(parsing: "10.0.0.0/8")]
        let plane = ServiceTranslator.dataplane(for: web, settings: settings)
        #expect(
            plane.sourceRanges == [
                key("198.51.100.7", 80): [try IPPrefix(parsing: "192.0.2.0/24"), try IPPrefix(parsing: "10.0.0.0/8")],
                key("2001:db8::7", 80): [],
            ])
        let state = MasqueradeState(services: [web], settings: settings, podSubnets: [])
        #expect(state.firewall.map(\.description).sorted() == ["198.51.100.7,tcp:80", "2001:db8::7,tcp:80"])
        #expect(
            state.allowedSources.map(\.description).sorted() == [
                "198.51.100.7,tcp:80,10.0.0.0/8", "198.51.100.7,tcp:80,192.0.2.0/24",
            ])
        // Without ranges nothing is firewalled.
        web.loadBalancerSourceRanges = []
        #expect(ServiceTranslator.dataplane(for: web, settings: settings).sourceRanges.isEmpty)
    }
}
