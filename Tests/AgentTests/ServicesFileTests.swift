import Addresses
import Agent
import ServiceProxy
import Testing

/// One service that must be left out with exactly one problem, while the services around it are kept.
struct BadService: Sendable, CustomTestStringConvertible {
    /// The service's lines, indented as an item of `services`; they start at line 7 of the file.
    var yaml: String
    /// The line the problem must point at.
    var line: Int
    /// Text the message must contain, after the service's label.
    var message: String

    init(_ yaml: String, line: Int, _ message: String) {
        self.yaml = yaml
        self.line = line
        self.message = message
    }

    var testDescription: String { message }

    /// The whole file: a good service before this one and another after it.
    var file: String {
        """
        node:
          excludedCIDRs: [10.250.0.0/16]
        services:
          - name: default/first
            clusterIPs: [10.96.0.1]
            ports: [{port: 80, nodePort: 30080}]
        \(yaml)
          - name: default/last
            clusterIPs: [10.96.0.3]
            ports: [{port: 80}]

        """
    }
}

@Suite struct ServicesFileTests {
    private func address(_ text: String) -> IPAddress { IPAddress(text)! }
    private func prefix(_ text: String) throws -> IPPrefix { try IPPrefix(parsing: text) }
    private func web(_ name: String) -> ServiceName { ServiceName(namespace: "default", name: name) }

    /// The problems of a file that must be rejected as a whole.
    private func errors(in yaml: String) -> [ConfigurationProblem] {
        do {
            let file = try ServicesFile.parse(yaml: yaml, file: "services.yaml")
            Issue.record("expected an error, got \(file)")
            return []
        } catch {
            return error.problems
        }
    }

    @Test func aValidFileParses() throws {
        let yaml = """
            node:
              addresses: [192.168.1.10, fd00:1::10, 192.168.2.10]
              nodePortAddresses: all
              dummyInterface: rudder-dummy
              excludedCIDRs: [10.250.0.0/16, fd00:250::/64]
            services:
              - name: default/web
                clusterIPs: [10.96.0.10, fd00:96::10]
                externalIPs: [203.0.113.10]
                loadBalancerIPs: [203.0.113.20, 2001:db8::20]
                ports:
                  - {name: http, protocol: TCP, port: 80, targetPort: 8080, nodePort: 30080}
                  - {name: quic, protocol: UDP, port: 443}
                  - name: assoc
                    protocol: SCTP
                    port: 3868
                sessionAffinity: ClientIP
                sessionAffinityTimeoutSeconds: 600
                annotations:
                  kube-router.io/service.scheduler: mh
                  kube-router.io/service.schedflags: flag-1, flag-2,
                  kubectl.kubernetes.io/last-applied-configuration: '{"apiVersion":"v1"}'
                externalTrafficPolicy: Local
                internalTrafficPolicy: Local
                endpoints:
                  - {address: 10.244.1.5, ports: {http: 8081}, local: true, ready: true, serving: true,
                     terminating: false}
                  - {address: 10.244.2.5, ready: false, serving: true, terminating: true}
                  - {address: 10.244.3.5, ready: false}
                  - address: fd00:10:244:1::5
                    ports:
                      http: 8080
                      quic: 8443
              - name: kube-system/kube-dns
                clusterIPs: [10.96.0.53]
                ports:
                  - {name: dns, protocol: UDP, port: 53}
                  - {name: dns-tcp, port: 53}
                sessionAffinity: None
                externalTrafficPolicy: Cluster
                endpoints: []
              - name: default/v6-only
                clusterIPs: [fd00:96::20]
                ports: [{port: 9090}]
                endpoints: [{address: fd00:10:244:2::20}]
            """
        let file = try ServicesFile.parse(yaml: yaml, file: "services.yaml")
        let settings = ProxySettings(
            nodeAddresses: [address("192.168.1.10"), address("fd00:1::10"), address("192.168.2.10")],
            nodePortsOnAllAddresses: true, dummyInterface: "rudder-dummy",
            excludedCIDRs: [try prefix("10.250.0.0/16"), try prefix("fd00:250::/64")])
        let webService = ProxiedService(
            name: web("web"), clusterIPs: [address("10.96.0.10"), address("fd00:96::10")],
            externalIPs: [address("203.0.113.10")],
            loadBalancerIPs: [address("203.0.113.20"), address("2001:db8::20")],
            ports: [
                ServicePort(name: "http", transport: .tcp, port: 80, nodePort: 30080, targetPort: 8080),
                ServicePort(name: "quic", transport: .udp, port: 443),
                ServicePort(name: "assoc", transport: .sctp, port: 3868),
            ],
            affinity: .clientIP(timeoutSeconds: 600),
            scheduling: SchedulingPolicy(scheduler: .mh, flags: [.flag1, .flag2]),
            externalTrafficPolicy: .local, internalTrafficPolicy: .local,
            endpoints: [
                ServiceEndpoint(
                    address: address("10.244.1.5"), ports: ["http": 8081], isLocal: true, ready: true, serving: true,
                    terminating: false),
                ServiceEndpoint(address: address("10.244.2.5"), ready: false, serving: true, terminating: true),
                ServiceEndpoint(address: address("10.244.3.5"), ready: false, serving: false),
                ServiceEndpoint(address: address("fd00:10:244:1::5"), ports: ["http": 8080, "quic": 8443]),
            ])
        let dns = ProxiedService(
            name: ServiceName(namespace: "kube-system", name: "kube-dns"), clusterIPs: [address("10.96.0.53")],
            ports: [
                ServicePort(name: "dns", transport: .udp, port: 53),
                ServicePort(name: "dns-tcp", transport: .tcp, port: 53),
            ])
        let v6 = ProxiedService(
            name: web("v6-only"), clusterIPs: [address("fd00:96::20")], ports: [ServicePort(port: 9090)],
            endpoints: [ServiceEndpoint(address: address("fd00:10:244:2::20"))])
        #expect(file.problems == [])
        #expect(file.settings == settings)
        #expect(file.services.count == 3)
        #expect(file.services.first == webService)
        #expect(file == ServicesFile(settings: settings, services: [webService, dns, v6]))
    }

    @Test func omittedKeysTakeTheirDefaults() throws {
        let yaml = """
            services:
              - name: default/plain
                clusterIPs: [10.96.0.10]
                ports: [{port: 80}]
                sessionAffinity: ClientIP
                annotations:
                  kube-router.io/service.scheduler: sh
                  kube-router.io/service.schedflags: ~
                endpoints:
                  - address: 10.244.1.5
                  - {address: 10.244.1.6, ready: false}
            """
        let file = try ServicesFile.parse(yaml: yaml, file: "services.yaml")
        #expect(file.settings == ProxySettings())
        #expect(file.settings.dummyInterface == "kube-dummy-if")
        let service = try #require(file.services.first)
        #expect(service.ports == [ServicePort(name: "", transport: .tcp, port: 80, nodePort: nil, targetPort: 80)])
        #expect(service.affinity == .clientIP(timeoutSeconds: 10_800))
        #expect(service.scheduling == SchedulingPolicy(scheduler: .sh, flags: []))
        #expect(service.externalTrafficPolicy == .cluster)
        #expect(service.internalTrafficPolicy == .cluster)
        #expect(service.externalIPs.isEmpty && service.loadBalancerIPs.isEmpty)
        let ready = try #require(service.endpoints.first)
        #expect(ready.ready && ready.serving && !ready.terminating && !ready.isLocal && ready.ports.isEmpty)
        // serving follows ready when it is not given, as EndpointSlices without the condition mean.
        let notReady = service.endpoints[1]
        #expect(!notReady.ready && !notReady.serving && !notReady.terminating)
    }

    @Test func emptyValuesMeanDefaults() throws {
        let file = try ServicesFile.parse(
            yaml: "node:\nservices:\n  - name: default/a\n    clusterIPs: [10.96.0.1]\n    ports: [{port: 1}]\n"
                + "    annotations:\n    endpoints:\n    externalIPs:\n",
            file: "services.yaml")
        #expect(file.problems == [])
        #expect(
            file.services == [
                ProxiedService(name: web("a"), clusterIPs: [address("10.96.0.1")], ports: [.init(port: 1)])
            ])
        #expect(try ServicesFile.parse(yaml: "services: []\n", file: "s") == ServicesFile())
    }

    @Test func aNodePortAloneIsEnoughToProxy() throws {
        let file = try ServicesFile.parse(
            yaml: "services:\n  - name: default/np\n    ports: [{port: 80, nodePort: 30080}]\n", file: "s")
        #expect(file.problems == [])
        #expect(file.services.first?.ports.first?.nodePort == 30080)
    }

    static let badServices: [BadService] = [
        // Addresses
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.300]\n    ports: [{port: 80}]", line: 8,
            "services[1] (default/bad): clusterIPs: '10.96.0.300' is not an IP address"),
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    externalIPs: [203.0.113]\n"
                + "    ports: [{port: 80}]", line: 9,
            "services[1] (default/bad): externalIPs: '203.0.113' is not an IP address"),
        BadService(
            "  - name: default/bad\n    loadBalancerIPs: [203.0.113.5, lb.example.com]\n    ports: [{port: 80}]",
            line: 8, "services[1] (default/bad): loadBalancerIPs: 'lb.example.com' is not an IP address"),
        BadService(
            "  - name: default/bad\n    clusterIPs: [None]\n    ports: [{port: 80}]", line: 8,
            "clusterIPs: 'None' is not an IP address (a headless service is not proxied; leave it out)"),
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2, 10.96.0.4]\n    ports: [{port: 80}]", line: 8,
            "clusterIPs: 10.96.0.2 and 10.96.0.4 are both IPv4; a service has at most one ClusterIP per family"),
        BadService(
            "  - name: default/bad\n    externalIPs: [203.0.113.1, 203.0.113.1]\n    ports: [{port: 80}]", line: 8,
            "services[1] (default/bad): externalIPs: 203.0.113.1 is listed twice"),
        BadService(
            "  - name: default/bad\n    clusterIPs: 10.96.0.2\n    ports: [{port: 80}]", line: 8,
            "services[1] (default/bad): clusterIPs: expected a list of IP addresses, got '10.96.0.2'"),
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.250.0.2]\n    ports: [{port: 80}]", line: 8,
            "clusterIPs: 10.250.0.2 is in node.excludedCIDRs (10.250.0.0/16), which Rudder never programs"),
        BadService(
            "  - name: default/bad\n    ports: [{port: 80}]", line: 7,
            "services[1] (default/bad): the service has no address to proxy"),
        // Ports
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    ports: [{port: 0}]", line: 9,
            "services[1] (default/bad): ports[0].port: 0 is out of range (expected an integer 1...65535)"),
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    ports: [{port: 70000}]", line: 9,
            "services[1] (default/bad): ports[0].port: 70000 is out of range (expected an integer 1...65535)"),
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    ports:\n      - name: http\n"
                + "        port: 80\n        nodePort: 70000", line: 12,
            "services[1] (default/bad): ports[0].nodePort: 70000 is out of range"),
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    ports: [{port: 80, targetPort: 0}]", line: 9,
            "services[1] (default/bad): ports[0].targetPort: 0 is out of range"),
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    ports: [{port: 80, targetPort: http}]",
            line: 9, "ports[0].targetPort: 'http' is a named port, which this file does not resolve"),
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    ports: [{port: http}]", line: 9,
            "services[1] (default/bad): ports[0].port: expected an integer 1...65535, got 'http'"),
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    ports: [{name: http}]", line: 9,
            "services[1] (default/bad): ports[0]: the port has no 'port' (its number)"),
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    ports: [{port: 80, protocol: tcp}]", line: 9,
            "services[1] (default/bad): ports[0].protocol: expected one of TCP, UDP, SCTP, got 'tcp'"),
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    ports:\n      - {name: a, port: 80}\n"
                + "      - {name: b, port: 80}", line: 11,
            "services[1] (default/bad): ports[1]: port TCP/80 is listed twice, at lines 10 and 11"),
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    ports:\n      - {name: a, port: 80}\n"
                + "      - {name: a, port: 81}", line: 11,
            "services[1] (default/bad): ports[1]: port name 'a' is listed twice, at lines 10 and 11"),
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    ports:\n"
                + "      - {name: a, port: 80, nodePort: 30001}\n"
                + "      - {name: b, port: 81, nodePort: 30001}", line: 11,
            "services[1] (default/bad): ports[1]: nodePort TCP/30001 is listed twice, at lines 10 and 11"),
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    ports:\n      - {name: a, port: 80}\n"
                + "      - {port: 81}", line: 11,
            "services[1] (default/bad): ports[1]: a service with more than one port must name each one"),
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    ports: []", line: 9,
            "services[1] (default/bad): ports: the service has no ports (the list is empty)"),
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]", line: 7,
            "services[1] (default/bad): the service has no 'ports'"),
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    ports: 80", line: 9,
            "services[1] (default/bad): ports: expected a list of ports, got '80'"),
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    ports: [{port: 80, appProtocol: http}]", line: 9,
            "services[1] (default/bad): unknown key 'appProtocol' in ports[0] (expected: name, protocol, port, "),
        // Scheduling
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    ports: [{port: 80}]\n    annotations:\n"
                + "      kube-router.io/service.scheduler: fair", line: 11,
            "services[1] (default/bad): annotations[kube-router.io/service.scheduler]: unknown scheduler 'fair' "
                + "(expected rr, lc, dh, sh, mh)"),
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    ports: [{port: 80}]\n    annotations:\n"
                + "      kube-router.io/service.scheduler: mh\n"
                + "      kube-router.io/service.schedflags: flag-1,fallback",
            line: 12,
            "services[1] (default/bad): annotations[kube-router.io/service.schedflags]: unknown scheduler flag "
                + "'fallback' (expected flag-1, flag-2, flag-3)"),
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    ports: [{port: 80}]\n"
                + "    annotations: [kube-router.io/service.scheduler]", line: 10,
            "services[1] (default/bad): annotations: expected a mapping from annotation name to value, got a list"),
        // Affinity and policies
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    ports: [{port: 80}]\n    sessionAffinity: Sticky",
            line: 10, "services[1] (default/bad): sessionAffinity: expected one of None, ClientIP, got 'Sticky'"),
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    ports: [{port: 80}]\n"
                + "    sessionAffinity: ClientIP\n    sessionAffinityTimeoutSeconds: 0", line: 11,
            "services[1] (default/bad): sessionAffinityTimeoutSeconds: 0 is out of range (expected an integer "
                + "1...86400)"),
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    ports: [{port: 80}]\n"
                + "    sessionAffinityTimeoutSeconds: 600", line: 10,
            "services[1] (default/bad): sessionAffinityTimeoutSeconds: applies only with sessionAffinity: ClientIP"),
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    ports: [{port: 80}]\n"
                + "    externalTrafficPolicy: local", line: 10,
            "services[1] (default/bad): externalTrafficPolicy: expected one of Cluster, Local, got 'local'"),
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    ports: [{port: 80}]\n"
                + "    internalTrafficPolicy: [Local]", line: 10,
            "services[1] (default/bad): internalTrafficPolicy: expected one of Cluster, Local, got a list"),
        // Endpoints
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    ports: [{port: 80}]\n"
                + "    endpoints: [{address: 10.244.1.256}]", line: 10,
            "services[1] (default/bad): endpoints[0].address: '10.244.1.256' is not an IP address"),
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    ports: [{name: http, port: 80}]\n"
                + "    endpoints: [{address: 10.244.1.5, ports: {http: 70000}}]", line: 10,
            "services[1] (default/bad): endpoints[0].ports[http]: 70000 is out of range"),
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    ports: [{name: http, port: 80}]\n"
                + "    endpoints: [{address: 10.244.1.5, ports: {htp: 8080}}]", line: 10,
            "services[1] (default/bad): endpoints[0].ports: 'htp' is not a port name of the service ('http')"),
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    ports: [{port: 80}]\n"
                + "    endpoints: [{address: 10.244.1.5, ports: {http: 8080}}]", line: 10,
            "endpoints[0].ports: 'http' is not a port name of the service ('' (unnamed))"),
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    ports: [{port: 80}]\n    endpoints:\n"
                + "      - address: 10.244.1.5\n      - address: 10.244.1.5", line: 12,
            "services[1] (default/bad): endpoints[1].address: endpoint 10.244.1.5 is listed twice, at lines 11 "
                + "and 12"),
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    ports: [{port: 80}]\n"
                + "    endpoints: [{local: true}]", line: 10,
            "services[1] (default/bad): endpoints[0]: the endpoint has no 'address'"),
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    ports: [{port: 80}]\n"
                + "    endpoints: [{address: 10.244.1.5, ready: maybe}]", line: 10,
            "services[1] (default/bad): endpoints[0].ready: expected a boolean (true or false), got 'maybe'"),
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    ports: [{port: 80}]\n"
                + "    endpoints: [{address: 10.244.1.5, nodeName: a}]", line: 10,
            "services[1] (default/bad): unknown key 'nodeName' in endpoints[0] (expected: address, ports, local, "),
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    ports: [{port: 80}]\n"
                + "    endpoints: {address: 10.244.1.5}", line: 10,
            "services[1] (default/bad): endpoints: expected a list of endpoints, got a mapping"),
        // Identity and the service as a whole
        BadService(
            "  - name: default/first\n    clusterIPs: [10.96.0.2]\n    ports: [{port: 80}]", line: 7,
            "services[1] (default/first): name: default/first is already listed at line 4"),
        BadService(
            "  - clusterIPs: [10.96.0.2]\n    ports: [{port: 80}]", line: 7,
            "services[1]: the service has no 'name' (its namespace/name, such as default/web)"),
        BadService(
            "  - name: web\n    clusterIPs: [10.96.0.2]\n    ports: [{port: 80}]", line: 7,
            "services[1]: name: 'web' is not a service name (expected namespace/name"),
        BadService(
            "  - name: Default/Web\n    clusterIPs: [10.96.0.2]\n    ports: [{port: 80}]", line: 7,
            "services[1]: name: 'Default/Web' is not a service name"),
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    ports: [{port: 80}]\n    selector: {app: web}",
            line: 10,
            "services[1] (default/bad): unknown key 'selector' (expected: name, clusterIPs, externalIPs, "),
        BadService(
            "  - default/bad", line: 7,
            "services[1]: expected a mapping with the keys name, clusterIPs, "),
        // Clashes with a service listed before
        BadService(
            "  - name: default/bad\n    externalIPs: [10.96.0.1]\n    ports: [{port: 80}]", line: 9,
            "services[1] (default/bad): ports[0]: TCP/80 on 10.96.0.1 is already taken by default/first (line 4)"),
        BadService(
            "  - name: default/bad\n    clusterIPs: [10.96.0.2]\n    ports: [{port: 81, nodePort: 30080}]", line: 9,
            "services[1] (default/bad): ports[0]: nodePort TCP/30080 is already taken by default/first (line 4)"),
    ]

    @Test(arguments: badServices)
    func aBadServiceIsLeftOutWithOneProblem(input: BadService) throws {
        let file = try ServicesFile.parse(yaml: input.file, file: "services.yaml")
        #expect(file.problems.count == 1, "\(file.problems)")
        #expect(file.problems.first?.line == input.line)
        #expect(file.problems.first?.message.contains(input.message) == true, "\(file.problems.first?.message ?? "")")
        #expect(file.services.map(\.name) == [web("first"), web("last")])
    }

    @Test func theSameVirtualServiceOnAnotherProtocolOrPortIsNoClash() throws {
        let yaml = """
            services:
              - name: default/tcp
                clusterIPs: [10.96.0.1]
                ports: [{port: 53, nodePort: 30053}]
              - name: default/udp
                externalIPs: [10.96.0.1]
                ports: [{port: 53, protocol: UDP, nodePort: 30053}]
              - name: default/other-port
                externalIPs: [10.96.0.1]
                ports: [{port: 54}]
            """
        let file = try ServicesFile.parse(yaml: yaml, file: "services.yaml")
        #expect(file.problems == [])
        #expect(file.services.count == 3)
    }

    @Test func aServiceLeftOutClaimsNothing() throws {
        // The first default/web has a bad port, so the second one's ClusterIP is free; its name still clashes.
        let yaml = """
            services:
              - name: default/web
                clusterIPs: [10.96.0.1]
                ports: [{port: 80}, {port: 0}]
              - name: default/web2
                clusterIPs: [10.96.0.1]
                ports: [{port: 80}]
              - name: default/web
                clusterIPs: [10.96.0.5]
                ports: [{port: 80}]
            """
        let file = try ServicesFile.parse(yaml: yaml, file: "services.yaml")
        #expect(file.services.map(\.name) == [web("web2")])
        #expect(file.problems.map(\.line) == [4, 8])
        #expect(
            file.problems.last?.message == "services[2] (default/web): name: default/web is already listed at line 2")
    }

    @Test func everyProblemOfEveryServiceIsReportedInFileOrder() throws {
        let yaml = """
            services:
              - name: default/a
                clusterIPs: [10.96.0.300]
                ports: [{port: 70000}]
                annotations: {kube-router.io/service.scheduler: fair}
              - name: default/ok
                clusterIPs: [10.96.0.2]
                ports: [{port: 80}]
              - name: default/b
                clusterIPs: [10.96.0.3]
                ports: [{port: 80}, {port: 80}]
                sessionAffinitty: ClientIP
            """
        let file = try ServicesFile.parse(yaml: yaml, file: "services.yaml")
        #expect(file.services.map(\.name) == [web("ok")])
        #expect(file.problems.map(\.line) == [3, 4, 5, 11, 12])
        #expect(
            file.problems.map(\.message) == [
                "services[0] (default/a): clusterIPs: '10.96.0.300' is not an IP address",
                "services[0] (default/a): ports[0].port: 70000 is out of range (expected an integer 1...65535)",
                "services[0] (default/a): annotations[kube-router.io/service.scheduler]: unknown scheduler 'fair' "
                    + "(expected rr, lc, dh, sh, mh)",
                "services[2] (default/b): ports[1]: port TCP/80 is listed twice on line 11",
                "services[2] (default/b): unknown key 'sessionAffinitty' (expected: name, clusterIPs, externalIPs, "
                    + "loadBalancerIPs, loadBalancerSourceRanges, ports, sessionAffinity, sessionAffinityTimeoutSeconds, annotations, "
                    + "externalTrafficPolicy, internalTrafficPolicy, endpoints)",
            ])
        #expect(file.problems[3].description == "11:32: " + file.problems[3].message)
    }

    static let structuralErrors: [BadInput] = [
        BadInput(
            "services: []\nnodes: {}\n", line: 2, "unknown key 'nodes' in the top level (expected: node, services)"),
        BadInput("node: {}\n", line: nil, "no 'services' list (write 'services: []' to mean no services at all)"),
        BadInput("services:\n", line: 1, "no 'services' list"),
        BadInput("services: {name: default/web}\n", line: 1, "services: expected a list of services, got a mapping"),
        BadInput("node: [a]\nservices: []\n", line: 1, "node: expected a mapping with the keys addresses, "),
        BadInput(
            "node:\n  address: [192.168.1.10]\nservices: []\n", line: 2,
            "unknown key 'address' in node (expected: addresses, nodePortAddresses, dummyInterface, excludedCIDRs, podSubnets, masquerade, "
                + "iptables)"),
        BadInput(
            "node:\n  addresses: [192.168.1.300]\nservices: []\n", line: 2,
            "node.addresses: '192.168.1.300' is not an IP address"),
        BadInput(
            "node:\n  addresses: [192.168.1.1, 192.168.1.1]\nservices: []\n", line: 2,
            "node.addresses: 192.168.1.1 is listed twice"),
        BadInput(
            "node:\n  nodePortAddresses: primary-only\nservices: []\n", line: 2,
            "node.nodePortAddresses: expected one of primary, all, got 'primary-only'"),
        BadInput(
            "node:\n  dummyInterface: a-very-long-interface\nservices: []\n", line: 2,
            "node.dummyInterface: 'a-very-long-interface' is not a valid interface name"),
        BadInput("node:\n  dummyInterface: 7\nservices: []\n", line: 2, "node.dummyInterface: expected a string"),
        BadInput(
            "node:\n  excludedCIDRs: [10.250.0.1/16]\nservices: []\n", line: 2,
            "node.excludedCIDRs: '10.250.0.1/16' has host bits set (did you mean 10.250.0.0/16?)"),
        BadInput(
            "node:\n  excludedCIDRs: 10.250.0.0/16\nservices: []\n", line: 2,
            "node.excludedCIDRs: expected a list of prefixes such as 10.250.0.0/16, got '10.250.0.0/16'"),
        BadInput(
            "services:\n  - name: default/web\n    ports: [{port: 80}]\n    ports: [{port: 81}]\n", line: 3,
            "key 'ports' appears more than once"),
        BadInput("services:\n  - name: default/web\n   ports: []\n", line: 3, "YAML syntax error"),
        BadInput("", line: nil, "the file is empty"),
    ]

    @Test(arguments: structuralErrors)
    func aStructuralErrorRejectsTheFile(input: BadInput) {
        let found = errors(in: input.yaml)
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.line == input.line)
        #expect(found.first?.message.contains(input.message) == true, "\(found.first?.message ?? "none")")
    }

    @Test func aRejectedFileListsTheServicesProblemsToo() {
        let yaml = """
            nodes: {}
            services:
              - name: default/a
                clusterIPs: [10.96.0.1]
                ports: [{port: 0}]
            """
        let found = errors(in: yaml)
        #expect(found.map(\.line) == [1, 5])
        #expect(
            found.last?.message
                == "services[0] (default/a): ports[0].port: 0 is out of range (expected an integer 1...65535)")
    }

    @Test func anUnreadableFileIsOneProblem() {
        do {
            _ = try ServicesFile.load(path: "/nonexistent/services.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(
                "\(error)" == "/nonexistent/services.yaml: cannot read the file: No such file or directory (errno 2)")
        }
    }

    @Test func theShippedExampleParses() throws {
        let file = try ServicesFile.load(path: repositoryPath("docs/examples/services.yaml"))
        #expect(file.problems == [])
        #expect(file.services.count == 6)
        #expect(file.settings.nodeAddresses.count == 2)
        #expect(file.settings.dummyInterface == ProxySettings.defaultDummyInterface)
        let services = Dictionary(uniqueKeysWithValues: file.services.map { ($0.name.description, $0) })
        #expect(services["default/web"]?.ports.first?.nodePort == 30080)
        #expect(services["default/web"]?.endpoints.contains { $0.serving && $0.terminating && !$0.ready } == true)
        #expect(services["kube-system/kube-dns"]?.ports.map(\.transport) == [.udp, .tcp])
        #expect(services["default/shop"]?.affinity == .clientIP(timeoutSeconds: 600))
        #expect(services["default/cache"]?.scheduling == SchedulingPolicy(scheduler: .mh, flags: [.flag1, .flag2]))
        #expect(services["default/ingress"]?.externalTrafficPolicy == .local)
        #expect(services["default/ingress"]?.loadBalancerIPs.isEmpty == false)
        #expect(
            services["default/ingress"]?.loadBalancerSourceRanges == [
                try IPPrefix(parsing: "192.0.2.0/24"), try IPPrefix(parsing: "198.51.100.0/25"),
            ])
        #expect(services["default/api"]?.clusterIPs.first?.family == .ipv6)
        #expect(services["default/api"]?.internalTrafficPolicy == .local)
    }

    @Test func aBadSourceRangeLeavesTheServiceOutWithItsLine() throws {
        let file = try ServicesFile.parse(
            yaml: """
                services:
                  - name: default/gate
                    loadBalancerIPs: [203.0.113.5]
                    loadBalancerSourceRanges: [192.0.2.0/24, office, 10.0.0.1/8]
                    ports: [{port: 80}]
                  - name: default/open
                    clusterIPs: [10.96.0.9]
                    ports: [{port: 80}]
                """, file: "gate.yaml")
        #expect(file.services.map(\.name.name) == ["open"])
        #expect(
            file.problems.map(\.description) == [
                "4:46: services[0] (default/gate): loadBalancerSourceRanges: 'office' is not an IP prefix "
                    + "(expected ADDRESS/LENGTH)",
                "4:54: services[0] (default/gate): loadBalancerSourceRanges: '10.0.0.1/8' has host bits set "
                    + "(did you mean 10.0.0.0/8?)",
            ])
    }

    @Test func kubeRoutersServiceLocalAnnotationMakesBothPoliciesLocal() throws {
        let file = try ServicesFile.parse(
            yaml: """
                services:
                  - name: default/local
                    clusterIPs: [10.96.0.20]
                    ports: [{port: 80}]
                    annotations: {kube-router.io/service.local: "true"}
                """, file: "local.yaml")
        #expect(file.problems.isEmpty, "\(file.problems)")
        #expect(file.services.first?.externalTrafficPolicy == .local)
        #expect(file.services.first?.internalTrafficPolicy == .local)
    }

    @Test func masqueradeSettingsAreRead() throws {
        let file = try ServicesFile.parse(
            yaml: """
                node:
                  podSubnets: [10.244.0.0/16]
                  masquerade: false
                  iptables: legacy
                services: []
                """, file: "masquerade.yaml")
        #expect(file.settings.podSubnets == [try IPPrefix(parsing: "10.244.0.0/16")])
        #expect(file.settings.masquerade == false)
        #expect(file.settings.iptablesVariant == "legacy")
        #expect(throws: ConfigurationError.self) {
            try ServicesFile.parse(yaml: "node:\n  iptables: xtables\nservices: []\n", file: "bad.yaml")
        }
    }
}
