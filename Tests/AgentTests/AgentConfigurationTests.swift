import Addresses
import Agent
import ServiceProxy
import Testing

/// The daemon's sections of the configuration file: kubernetes, serviceProxy and http.
@Suite struct AgentConfigurationTests {
    @Test func theDaemonSectionsAreRead() throws {
        let yaml = """
            kubernetes:
              kubeconfig: /etc/rudder/kubeconfig
              context: prod
              serviceProxyName: rudder
            serviceProxy:
              addresses: [192.168.1.10]
              nodePortAddresses: all
              dummyInterface: rudder-vips
              excludedCIDRs: [10.250.0.0/16]
              podSubnets: [10.244.0.0/16]
              masquerade: false
              iptables: legacy
              resyncInterval: 10m
              gracePeriod: 45s
              ownershipRecord: /var/lib/rudder/ipvs-services
            http:
              host: 127.0.0.1
              port: 9101
            """
        let configuration = try RudderConfiguration.parse(yaml: yaml, file: "rudder.yaml")
        #expect(
            configuration.kubernetes
                == .init(kubeconfig: "/etc/rudder/kubeconfig", context: "prod", serviceProxyName: "rudder"))
        let proxy = configuration.serviceProxy
        #expect(proxy.settings.nodeAddresses == [IPAddress("192.168.1.10")!])
        #expect(proxy.settings.nodePortsOnAllAddresses)
        #expect(proxy.settings.dummyInterface == "rudder-vips")
        #expect(proxy.settings.excludedCIDRs == [try IPPrefix(parsing: "10.250.0.0/16")])
        #expect(proxy.settings.podSubnets == [try IPPrefix(parsing: "10.244.0.0/16")])
        #expect(!proxy.settings.masquerade && proxy.settings.iptablesVariant == "legacy")
        #expect(proxy.resyncInterval == .seconds(600) && proxy.gracePeriod == .seconds(45))
        #expect(proxy.ownershipRecord == "/var/lib/rudder/ipvs-services")
        #expect(configuration.http == .init(host: "127.0.0.1", port: 9101))
    }

    @Test func defaultsAreKubeRoutersWhereItHasOne() {
        let configuration = RudderConfiguration.default
        #expect(configuration.kubernetes.kubeconfig == nil && !configuration.kubernetes.allowInsecure)
        #expect(configuration.serviceProxy.enabled)
        #expect(configuration.serviceProxy.settings.dummyInterface == "kube-dummy-if")
        #expect(configuration.serviceProxy.ownershipRecord == OwnershipRecord.defaultPath)
        #expect(configuration.http.port == 20244)
    }

    static let badValues: [BadInput] = [
        BadInput("serviceProxy:\n  resyncInterval: 1s\n", line: 2, "serviceProxy.resyncInterval: 1s is too short"),
        BadInput(
            "serviceProxy:\n  dummyInterface: a/b\n", line: 2,
            "serviceProxy.dummyInterface: 'a/b' is not a valid interface"),
        BadInput("serviceProxy:\n  addresses: [10.0.0.300]\n", line: 2, "10.0.0.300"),
        BadInput("kubernetes:\n  allowInsecure: sure\n", line: 2, "kubernetes.allowInsecure: expected a boolean"),
        BadInput("http:\n  port: 70000\n", line: 2, "http.port: 70000 is out of range"),
        BadInput("kubernetes:\n  kubeconfg: x\n", line: 2, "unknown key 'kubeconfg' in kubernetes"),
    ]

    @Test(arguments: badValues)
    func badValuesAreNamed(_ input: BadInput) {
        do {
            _ = try RudderConfiguration.parse(yaml: input.yaml, file: "rudder.yaml")
            Issue.record("expected a problem: \(input.message)")
        } catch {
            #expect(error.problems.count == 1)
            #expect(error.problems.first?.line == input.line)
            #expect(error.problems.first?.message.contains(input.message) == true, "\(error.problems)")
        }
    }

    @Test func healthIsLiveWithoutTheAPIServerAndReadyAfterEveryFirstSync() {
        let health = HealthState()
        #expect(health.isAlive && !health.isReady)
        health.register("service-proxy")
        health.register("pod-routes")
        #expect(health.isAlive && !health.isReady)
        #expect(health.report(readiness: true).contains("[-]service-proxy first sync not applied yet"))
        health.markReady("service-proxy")
        health.markReady("pod-routes")
        #expect(health.isReady)
        #expect(health.report(readiness: true).hasSuffix("readyz check passed\n"))
        health.markFailed("pod-routes", reason: "netlink socket closed")
        #expect(!health.isAlive && !health.isReady)
        #expect(health.report(readiness: false).contains("[-]pod-routes failed: netlink socket closed"))
    }
}
