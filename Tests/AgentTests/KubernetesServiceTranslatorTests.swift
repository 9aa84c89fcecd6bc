import Addresses
import Agent
import Foundation
import Kubernetes
import KubernetesModel
import RudderLab
import ServiceProxy
import Testing

/// Kubernetes Services and EndpointSlices, in `kubectl get -o json` shapes, into the proxy's model.
@Suite struct KubernetesServiceTranslatorTests {
    let translator = KubernetesServiceTranslator(nodeName: "node-a")

    func service(_ json: String) throws -> KubernetesModel.Service {
        try JSONDecoder().decode(KubernetesModel.Service.self, from: Data(json.utf8))
    }

    func slice(_ json: String) throws -> EndpointSlice {
        try JSONDecoder().decode(EndpointSlice.self, from: Data(json.utf8))
    }

    func proxied(_ translation: KubernetesServiceTranslator.Translation) throws -> ProxiedService {
        guard case .proxied(let service, _, _) = translation else {
            Issue.record("expected a proxied service, got \(translation)")
            throw CancellationError()
        }
        return service
    }

    @Test func aClusterIPServiceWithANamedTargetPortTakesTheSlicesNumbers() throws {
        let web = try service(
            TestAPIServer.serviceJSON(
                name: "web", clusterIP: "10.96.0.10", ports: [.init(name: "http", port: 80, targetPort: "web")]))
        let first = try slice(
            TestAPIServer.endpointSliceJSON(
                name: "web-abc", service: "web", addresses: ["10.244.1.5"], port: 8080, nodeName: "node-a"))
        let second = try slice(
            TestAPIServer.endpointSliceJSON(
                name: "web-def", service: "web", addresses: ["10.244.2.5"], port: 9090, nodeName: "node-b"))
        let result = try proxied(translator.translate(web, slices: [first, second]))
        #expect(result.name == ServiceName(namespace: "default", name: "web"))
        #expect(result.clusterIPs == [IPAddress("10.96.0.10")!])
        #expect(
            result.ports == [
                ServiceProxy.ServicePort(
                    name: "http", port: 80, targetPort: 80, targetPortName: "web", requiresEndpointPort: true)
            ])
        #expect(result.endpoints.map(\.ports) == [["http": 8080], ["http": 9090]])
        #expect(result.endpoints.map(\.isLocal) == [true, false])
        let servers = ServiceTranslator.dataplane(for: result, settings: ProxySettings()).virtualServices.values
            .flatMap(\.realServers).map { "\($0.address):\($0.port)" }.sorted()
        #expect(servers == ["10.244.1.5:8080", "10.244.2.5:9090"])
    }

    @Test func nodePortsExternalAndLoadBalancerAddressesAndPolicies() throws {
        let web = try service(
            TestAPIServer.serviceJSON(
                name: "shop", clusterIP: "10.96.0.20",
                ports: [.init(name: "http", port: 80, targetPort: "8080", nodePort: 30080)],
                type: "LoadBalancer", externalIPs: ["203.0.113.5"], loadBalancerIngress: ["198.51.100.9"],
                externalTrafficPolicy: "Local", internalTrafficPolicy: "Local"))
        let result = try proxied(translator.translate(web, slices: []))
        #expect(result.externalIPs == [IPAddress("203.0.113.5")!])
        #expect(result.loadBalancerIPs == [IPAddress("198.51.100.9")!])
        #expect(result.ports.first?.nodePort == 30080)
        #expect(result.ports.first?.targetPort == 8080 && result.ports.first?.targetPortName == nil)
        #expect(result.externalTrafficPolicy == .local && result.internalTrafficPolicy == .local)
        // A ClusterIP Service keeps no NodePort even if the field is left over.
        let plain = try service(
            TestAPIServer.serviceJSON(
                name: "plain", clusterIP: "10.96.0.21", ports: [.init(port: 80, targetPort: "8080", nodePort: 30081)]))
        #expect(try proxied(translator.translate(plain, slices: [])).ports.first?.nodePort == nil)
    }

    /// A Service without a selector gets its endpoints from EndpointSlices someone else manages,
    /// found by the same label.
    @Test func aServiceWithoutASelectorUsesHandMadeSlices() throws {
        let external = try service(TestAPIServer.serviceJSON(name: "db", clusterIP: "10.96.0.40", selector: [:]))
        #expect(external.spec.selector.isEmpty)
        let manual = try slice(
            #"{"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","addressType":"IPv4","metadata":{"name":"db-manual","namespace":"default","labels":{"kubernetes.io/service-name":"db","endpointslice.kubernetes.io/managed-by":"staff"}},"endpoints":[{"addresses":["192.168.50.7"]}],"ports":[{"name":"http","port":5432}]}"#
        )
        let result = try proxied(translator.translate(external, slices: [manual]))
        #expect(result.endpoints.map(\.address) == [IPAddress("192.168.50.7")!])
        #expect(result.endpoints.first?.ports == ["http": 5432])
    }

    @Test func dualStackServicesTakeBothFamiliesOfEndpoints() throws {
        let web = try service(
            TestAPIServer.serviceJSON(name: "web", clusterIP: "10.96.0.10", clusterIPs: ["10.96.0.10", "fd00:96::10"]))
        let v4 = try slice(
            TestAPIServer.endpointSliceJSON(name: "web-v4", service: "web", addresses: ["10.244.1.5"], port: 8080))
        let v6 = try slice(
            TestAPIServer.endpointSliceJSON(name: "web-v6", service: "web", addresses: ["fd00:244::5"], port: 8080))
        let result = try proxied(translator.translate(web, slices: [v4, v6]))
        #expect(result.clusterIPs == [IPAddress("10.96.0.10")!, IPAddress("fd00:96::10")!])
        #expect(result.endpoints.map(\.address) == [IPAddress("10.244.1.5")!, IPAddress("fd00:244::5")!])
    }

    @Test func conditionsFollowKubeProxy() throws {
        let web = try service(TestAPIServer.serviceJSON(name: "web", clusterIP: "10.96.0.10"))
        let terminating = try slice(
            TestAPIServer.endpointSliceJSON(
                name: "web-1", service: "web", addresses: ["10.244.1.5"], port: 8080, ready: false, serving: true,
                terminating: true))
        // ready and serving left out both mean true, as kube-proxy reads them.
        let bare = try slice(
            #"{"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","addressType":"IPv4","metadata":{"name":"web-2","namespace":"default","labels":{"kubernetes.io/service-name":"web"}},"endpoints":[{"addresses":["10.244.1.6"],"conditions":{}}],"ports":[{"name":"http","port":8080}]}"#
        )
        let result = try proxied(translator.translate(web, slices: [terminating, bare]))
        let first = try #require(result.endpoints.first)
        #expect(!first.ready && first.serving && first.terminating)
        let second = try #require(result.endpoints.last)
        #expect(second.ready && second.serving && !second.terminating)
    }

    @Test func headlessExternalNameAndOtherProxiesAreIgnored() throws {
        let headless = try service(TestAPIServer.serviceJSON(name: "db", clusterIP: "None", clusterIPs: ["None"]))
        #expect(translator.translate(headless, slices: []) == .ignored(reason: "headless (clusterIP None)"))
        let labelled = try service(
            TestAPIServer.serviceJSON(
                name: "db2", clusterIP: "10.96.0.30", labels: ["service.kubernetes.io/headless": ""]))
        #expect(translator.translate(labelled, slices: []) == .ignored(reason: "headless"))
        let other = try service(
            TestAPIServer.serviceJSON(
                name: "mesh", clusterIP: "10.96.0.31", labels: ["service.kubernetes.io/service-proxy-name": "cilium"]))
        guard case .ignored = translator.translate(other, slices: []) else {
            Issue.record("a Service for another proxy must be ignored")
            return
        }
        let mine = KubernetesServiceTranslator(nodeName: "node-a", serviceProxyName: "cilium")
        #expect(try proxied(mine.translate(other, slices: [])).name.name == "mesh")
        #expect(mine.labelSelector == "service.kubernetes.io/service-proxy-name=cilium,!service.kubernetes.io/headless")
        #expect(
            translator.labelSelector == "!service.kubernetes.io/service-proxy-name,!service.kubernetes.io/headless")
        var external = try service(TestAPIServer.serviceJSON(name: "ext", clusterIP: ""))
        external.spec.type = .externalName
        #expect(translator.translate(external, slices: []) == .ignored(reason: "ExternalName"))
    }

    @Test func kubeRouterAnnotationsAndTheirBadValues() throws {
        let tuned = try service(
            TestAPIServer.serviceJSON(
                name: "web", clusterIP: "10.96.0.10",
                annotations: [
                    "kube-router.io/service.scheduler": "mh", "kube-router.io/service.schedflags": "flag-1, flag-2",
                    "kube-router.io/service.local": "true",
                ]))
        let result = try proxied(translator.translate(tuned, slices: []))
        #expect(result.scheduling == SchedulingPolicy(scheduler: .mh, flags: [.flag1, .flag2]))
        #expect(result.externalTrafficPolicy == .local && result.internalTrafficPolicy == .local)

        // As kube-router does, a bad value is reported and the default applies.
        let typo = try service(
            TestAPIServer.serviceJSON(
                name: "web", clusterIP: "10.96.0.10", annotations: ["kube-router.io/service.scheduler": "wrr"]))
        guard case .proxied(let fallback, let warnings, _) = translator.translate(typo, slices: []) else {
            Issue.record("a bad annotation must not keep the Service off the node")
            return
        }
        #expect(fallback.scheduling.scheduler == .rr)
        #expect(warnings.count == 1 && warnings[0].contains("unknown scheduler 'wrr'"))
    }

    @Test func anInvalidAddressRejectsTheServiceWithTheFieldNamed() throws {
        let broken = try service(
            TestAPIServer.serviceJSON(name: "web", clusterIP: "10.96.0.999", externalIPs: ["203.0.113.300"]))
        #expect(
            translator.translate(broken, slices: [])
                == .rejected([
                    "spec.clusterIPs[0]: '10.96.0.999' is not an IP address",
                    "spec.externalIPs[0]: '203.0.113.300' is not an IP address",
                ]))
        let badPort = try service(
            TestAPIServer.serviceJSON(
                name: "web", clusterIP: "10.96.0.10", ports: [.init(port: 70_000, targetPort: "80")]))
        guard case .rejected(let problems) = translator.translate(badPort, slices: []) else {
            Issue.record("port 70000 must be rejected")
            return
        }
        #expect(problems == ["port 70000 is out of range 1...65535"])
    }

    /// `loadBalancerSourceRanges` as kube-proxy reads it: trimmed, host bits cleared, the legacy
    /// annotation when the field is empty; a range that is not a CIDR rejects the Service, so
    /// what the kernel has (and its firewall) stays instead of opening to every source.
    @Test func loadBalancerSourceRangesFromTheFieldOrTheAnnotation() throws {
        var shop = try service(
            TestAPIServer.serviceJSON(
                name: "shop", clusterIP: "10.96.0.20", type: "LoadBalancer", loadBalancerIngress: ["198.51.100.9"]))
        shop.spec.loadBalancerSourceRanges = [" 192.0.2.0/24", "10.1.2.3/8", "2001:db8::/32"]
        #expect(
            try proxied(translator.translate(shop, slices: [])).loadBalancerSourceRanges == [
                try IPPrefix(parsing: "192.0.2.0/24"), try IPPrefix(parsing: "10.0.0.0/8"),
                try IPPrefix(parsing: "2001:db8::/32"),
            ])
        shop.spec.loadBalancerSourceRanges = []
        shop.metadata.annotations[KubernetesServiceTranslator.sourceRangesAnnotation] = "203.0.113.0/24, 192.0.2.7/32"
        #expect(
            try proxied(translator.translate(shop, slices: [])).loadBalancerSourceRanges == [
                try IPPrefix(parsing: "203.0.113.0/24"), try IPPrefix(parsing: "192.0.2.7/32"),
            ])
        // The field wins over the annotation.
        shop.spec.loadBalancerSourceRanges = ["198.51.100.0/24"]
        #expect(
            try proxied(translator.translate(shop, slices: [])).loadBalancerSourceRanges == [
                try IPPrefix(parsing: "198.51.100.0/24")
            ])
        shop.spec.loadBalancerSourceRanges = ["198.51.100.0/24", "office"]
        #expect(
            translator.translate(shop, slices: [])
                == .rejected(["spec.loadBalancerSourceRanges[1]: 'office' is not a CIDR"]))
    }

    /// Slice ports are matched by name and protocol, an unnamed port included, and the slice's
    /// number is the endpoint's port whatever the Service's targetPort says.
    @Test func slicePortsMatchByNameAndProtocol() throws {
        let syslog = try service(
            TestAPIServer.serviceJSON(
                name: "syslog", clusterIP: "10.96.0.30",
                ports: [.init(name: nil, port: 514, targetPort: "514", protocolName: "UDP")]))
        let stale = try slice(
            TestAPIServer.endpointSliceJSON(
                name: "syslog-old", service: "syslog", addresses: ["10.244.1.5"], port: 514, portName: nil))
        let current = try slice(
            TestAPIServer.endpointSliceJSON(
                name: "syslog-new", service: "syslog", addresses: ["10.244.1.6"], port: 1514, portName: nil,
                protocolName: "UDP"))
        let result = try proxied(translator.translate(syslog, slices: [stale, current]))
        #expect(result.endpoints.map(\.ports) == [[:], ["": 1514]])
        let servers = ServiceTranslator.dataplane(for: result, settings: ProxySettings()).virtualServices.values
            .flatMap(\.realServers).map { "\($0.address):\($0.port)" }
        #expect(servers == ["10.244.1.6:1514"])
    }

    /// An address in two slices with two ports is two endpoints; with the same port, one.
    @Test func anAddressInTwoSlicesKeepsEachPort() throws {
        let web = try service(TestAPIServer.serviceJSON(name: "web", clusterIP: "10.96.0.10"))
        let old = try slice(
            TestAPIServer.endpointSliceJSON(name: "web-1", service: "web", addresses: ["10.244.1.5"], port: 8080))
        let new = try slice(
            TestAPIServer.endpointSliceJSON(
                name: "web-2", service: "web", addresses: ["10.244.1.5", "10.244.1.6"], port: 8081))
        let again = try slice(
            TestAPIServer.endpointSliceJSON(name: "web-3", service: "web", addresses: ["10.244.1.6"], port: 8081))
        let result = try proxied(translator.translate(web, slices: [old, new, again]))
        #expect(
            result.endpoints.map { "\($0.address) \($0.ports)" } == [
                "10.244.1.5 [\"http\": 8080]", "10.244.1.5 [\"http\": 8081]", "10.244.1.6 [\"http\": 8081]",
            ])
    }

    /// Hints are read against this node's name and zone; a node without a zone matches no zone hint.
    @Test func hintsAreReadForThisNodeAndZone() throws {
        let web = try service(TestAPIServer.serviceJSON(name: "web", clusterIP: "10.96.0.10"))
        var hinted = try slice(
            TestAPIServer.endpointSliceJSON(
                name: "web-1", service: "web", addresses: ["10.244.1.5", "10.244.2.5", "10.244.3.5"], port: 8080))
        hinted.endpoints[0].hints = EndpointHints(forZones: ["zone-a"], forNodes: ["node-a"])
        hinted.endpoints[1].hints = EndpointHints(forZones: ["zone-b"])
        let inZoneA = KubernetesServiceTranslator(nodeName: "node-a", zone: "zone-a")
        let endpoints = try proxied(inZoneA.translate(web, slices: [hinted])).endpoints
        #expect(endpoints.map(\.hintedForThisZone) == [true, false, nil])
        #expect(endpoints.map(\.hintedForThisNode) == [true, nil, nil])
        let noZone = try proxied(translator.translate(web, slices: [hinted])).endpoints
        #expect(noZone.map(\.hintedForThisZone) == [false, false, nil])
        // And the hints survive the informer's trimming, as JSON the API server sends them.
        let json = try JSONEncoder().encode(hinted)
        #expect(
            try JSONDecoder().decode(EndpointSlice.self, from: json).endpoints[0].hints == hinted.endpoints[0].hints)
    }

    /// An endpoint address that is not of its slice's type is skipped and named; the rest serve.
    @Test func aBadEndpointAddressIsSkippedWithAWarning() throws {
        let web = try service(TestAPIServer.serviceJSON(name: "web", clusterIP: "10.96.0.10"))
        let mixed = try slice(
            TestAPIServer.endpointSliceJSON(
                name: "web-1", service: "web", addresses: ["10.244.1.5", "fd00::5", "10.244.1.999"], port: 8080))
        guard case .proxied(let result, _, let skipped) = translator.translate(web, slices: [mixed]) else {
            Issue.record("one bad address must not keep the Service off the node")
            return
        }
        #expect(result.endpoints.map(\.address) == [IPAddress("10.244.1.5")!])
        #expect(
            skipped == [
                "EndpointSlice web-1: endpoint address 'fd00::5' is not an IPv4 address; skipped",
                "EndpointSlice web-1: endpoint address '10.244.1.999' is not an IPv4 address; skipped",
            ])
    }

    /// The Service's families reach the model, so NodePorts exist only in them.
    @Test func ipFamiliesReachTheModel() throws {
        let dual = try service(
            TestAPIServer.serviceJSON(name: "web", clusterIP: "10.96.0.10", clusterIPs: ["10.96.0.10", "fd00:96::10"]))
        #expect(try proxied(translator.translate(dual, slices: [])).ipFamilies == [.ipv4, .ipv6])
    }

    @Test func theCatalogFollowsASliceThatChangesService() throws {
        var catalog = ServiceCatalog(translator: translator)
        let web = ServiceName(namespace: "default", name: "web")
        let api = ServiceName(namespace: "default", name: "api")
        catalog.set(service: try service(TestAPIServer.serviceJSON(name: "web", clusterIP: "10.96.0.10")), name: web)
        catalog.set(service: try service(TestAPIServer.serviceJSON(name: "api", clusterIP: "10.96.0.11")), name: api)
        let slice = try slice(
            TestAPIServer.endpointSliceJSON(name: "s1", service: "web", addresses: ["10.244.1.5"], port: 8080))
        #expect(catalog.set(slice: slice, previous: nil) == [web])
        var moved = slice
        moved.metadata.labels["kubernetes.io/service-name"] = "api"
        #expect(catalog.set(slice: moved, previous: slice) == [web, api])
        #expect(try proxied(catalog.translation(of: web)).endpoints.isEmpty)
        #expect(try proxied(catalog.translation(of: api)).endpoints.count == 1)
        #expect(catalog.set(slice: nil, previous: moved) == [api])
        #expect(catalog.counts.slices == 0)
        catalog.set(service: nil, name: web)
        #expect(catalog.translation(of: web) == .ignored(reason: "no such Service"))
        // Slices that name a Service the catalog does not have are orphans, reported by the agent.
        #expect(!catalog.hasOrphanSlices(web))
        catalog.set(slice: slice, previous: nil)
        #expect(catalog.hasOrphanSlices(web) && !catalog.hasOrphanSlices(api))
    }
}
