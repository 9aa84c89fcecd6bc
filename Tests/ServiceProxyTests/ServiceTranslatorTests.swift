import Addresses
import IPVS
import ServiceProxy
import Testing

/// Service → IPVS translation: addresses, policies, endpoint conditions, affinity, scheduling.
@Suite struct ServiceTranslatorTests {
    let settings = ProxySettings(nodeAddresses: [
        IPAddress("192.168.1.10")!, IPAddress("192.168.2.10")!, IPAddress("fd00:1::10")!,
    ])

    func endpoint(
        _ address: String, local: Bool = false, ready: Bool = true, serving: Bool? = nil, terminating: Bool = false
    )
        -> ServiceEndpoint
    {
        ServiceEndpoint(
            address: IPAddress(address)!, ports: ["http": 8080], isLocal: local, ready: ready, serving: serving,
            terminating: terminating)
    }

    func key(_ transport: IPVSProtocol, _ address: String, _ port: UInt16) -> IPVSServiceKey {
        .address(transport, IPAddress(address)!, port: port)
    }

    var web: ProxiedService {
        ProxiedService(
            name: ServiceName(namespace: "default", name: "web"), clusterIPs: [IPAddress("10.96.0.10")!],
            externalIPs: [IPAddress("203.0.113.10")!], loadBalancerIPs: [IPAddress("198.51.100.7")!],
            ports: [ServicePort(name: "http", transport: .tcp, port: 80, nodePort: 30080, targetPort: 9999)],
            endpoints: [endpoint("10.244.1.5", local: true), endpoint("10.244.2.5")])
    }

    @Test func everyAddressAndTheNodePortGetAVirtualService() {
        let plane = ServiceTranslator.dataplane(for: web, settings: settings)
        #expect(
            Set(plane.virtualServices.keys) == [
                key(.tcp, "10.96.0.10", 80), key(.tcp, "203.0.113.10", 80), key(.tcp, "198.51.100.7", 80),
                key(.tcp, "192.168.1.10", 30080),
            ])
        #expect(plane.vips == [IPAddress("10.96.0.10")!, IPAddress("203.0.113.10")!, IPAddress("198.51.100.7")!])
        // Named target ports come from the endpoint, and families never mix.
        let cluster = plane.virtualServices[key(.tcp, "10.96.0.10", 80)]!
        #expect(cluster.realServers.map(\.port) == [8080, 8080])
        // An IPv4 Service has no NodePort on the node's IPv6 address.
        #expect(plane.virtualServices[key(.tcp, "fd00:1::10", 30080)] == nil)
    }

    /// A named targetPort takes each endpoint's own number; an endpoint without it is left out,
    /// never sent to a guessed port.
    @Test func aNamedTargetPortComesFromEachEndpoint() {
        var service = web
        service.ports = [ServicePort(name: "", port: 80, targetPort: 0, targetPortName: "http-alt")]
        service.endpoints = [
            ServiceEndpoint(address: IPAddress("10.244.1.5")!, ports: ["": 8081]),
            ServiceEndpoint(address: IPAddress("10.244.2.5")!, ports: ["": 9091]),
            ServiceEndpoint(address: IPAddress("10.244.3.5")!),
        ]
        #expect(service.problems.isEmpty)
        let servers = ServiceTranslator.dataplane(for: service, settings: settings).virtualServices[
            key(.tcp, "10.96.0.10", 80)]?.realServers.sorted { "\($0.address)" < "\($1.address)" }
        #expect(servers?.map { "\($0.address):\($0.port)" } == ["10.244.1.5:8081", "10.244.2.5:9091"])
    }

    @Test func nodePortsCanListenOnEveryNodeAddress() {
        var all = settings
        all.nodePortsOnAllAddresses = true
        let keys = ServiceTranslator.dataplane(for: web, settings: all).virtualServices.keys
        #expect(keys.contains(key(.tcp, "192.168.2.10", 30080)))
    }

    @Test func localTrafficPoliciesKeepOnlyThisNodesEndpoints() {
        var service = web
        service.externalTrafficPolicy = .local
        let plane = ServiceTranslator.dataplane(for: service, settings: settings)
        #expect(
            plane.virtualServices[key(.tcp, "203.0.113.10", 80)]!.realServers.map(\.address) == [
                IPAddress("10.244.1.5")!
            ])
        #expect(plane.virtualServices[key(.tcp, "192.168.1.10", 30080)]!.realServers.count == 1)
        #expect(plane.virtualServices[key(.tcp, "10.96.0.10", 80)]!.realServers.count == 2)
        service.externalTrafficPolicy = .cluster
        service.internalTrafficPolicy = .local
        let inside = ServiceTranslator.dataplane(for: service, settings: settings)
        #expect(inside.virtualServices[key(.tcp, "10.96.0.10", 80)]!.realServers.count == 1)
        #expect(inside.virtualServices[key(.tcp, "203.0.113.10", 80)]!.realServers.count == 2)
    }

    @Test func terminatingServingEndpointsServeOnlyWhenNoneIsReady() {
        let mixed = [endpoint("10.244.1.5"), endpoint("10.244.1.6", ready: false, serving: true, terminating: true)]
        #expect(ServiceTranslator.categorize(mixed).cluster.map(\.address) == [IPAddress("10.244.1.5")!])
        let draining = [
            endpoint("10.244.1.6", ready: false, serving: true, terminating: true),
            endpoint("10.244.1.7", ready: false, serving: false, terminating: true),
        ]
        #expect(ServiceTranslator.categorize(draining).cluster.map(\.address) == [IPAddress("10.244.1.6")!])
    }

    @Test func affinityAndSchedulingBecomeServiceAttributes() {
        var service = web
        service.affinity = .clientIP(timeoutSeconds: 600)
        service.scheduling = SchedulingPolicy(scheduler: .mh, flags: [.flag1, .flag2])
        let virtual = ServiceTranslator.dataplane(for: service, settings: settings).virtualServices[
            key(.tcp, "10.96.0.10", 80)]!
        #expect(virtual.service.scheduler == "mh")
        #expect(virtual.service.persistenceTimeout == 600)
        #expect(virtual.service.effectiveFlags.contains(.persistent))
        #expect(virtual.service.effectiveFlags.contains([.sched1, .sched2]))
        #expect(virtual.service.netmask == 0xFFFF_FFFF)
    }

    @Test func excludedAddressesAreNeverProgrammed() {
        var excluded = settings
        excluded.excludedCIDRs = [try! IPPrefix(parsing: "203.0.113.0/24")]
        let plane = ServiceTranslator.dataplane(for: web, settings: excluded)
        #expect(!plane.virtualServices.keys.contains(key(.tcp, "203.0.113.10", 80)))
        #expect(!plane.vips.contains(IPAddress("203.0.113.10")!))
    }

    @Test func udpAndIPv6ServicesTranslate() {
        let dns = ProxiedService(
            name: ServiceName(namespace: "kube-system", name: "dns"), clusterIPs: [IPAddress("fd00:96::a")!],
            ports: [ServicePort(name: "dns", transport: .udp, port: 53)],
            endpoints: [ServiceEndpoint(address: IPAddress("fd00:244::5")!, ports: ["dns": 5353])])
        let plane = ServiceTranslator.dataplane(for: dns, settings: settings)
        #expect(plane.virtualServices[key(.udp, "fd00:96::a", 53)]?.realServers.first?.port == 5353)
    }
}
