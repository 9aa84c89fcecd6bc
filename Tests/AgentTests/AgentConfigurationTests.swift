import Addresses
import Agent
import Foundation
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

    @Test func theAPIServerAddressIsAnHTTPSURLWithAHostAndNothingAfterThePort() throws {
        let parsed = try RudderConfiguration.parse(
            yaml: "kubernetes:\n  apiServer: https://192.0.2.10:6443\n", file: "rudder.yaml")
        #expect(parsed.kubernetes.apiServer == URL(string: "https://192.0.2.10:6443"))
        let ipv6 = try RudderConfiguration.parse(yaml: "kubernetes:\n  apiServer: https://[2001:db8::10]\n", file: "f")
        #expect(ipv6.kubernetes.apiServer?.host == "2001:db8::10")
        for bad in ["http://192.0.2.10:6443", "https://192.0.2.10:6443/api", "192.0.2.10:6443", "https://"] {
            #expect(throws: ConfigurationError.self, "\(bad)") {
                try RudderConfiguration.parse(yaml: "kubernetes:\n  apiServer: \(bad)\n", file: "rudder.yaml")
            }
        }
        let insecure = try RudderConfiguration.parse(
            yaml: "kubernetes:\n  allowInsecure: true\n  apiServer: http://127.0.0.1:8080\n", file: "f")
        #expect(insecure.kubernetes.apiServer?.scheme == "http")
    }

    /// With only the in-cluster address (the kubernetes Service's ClusterIP) and the proxy on,
    /// the agent says the API server may never answer; an explicit address, a kubeconfig or the
    /// proxy off each make the address one the agent does not depend on itself.
    @Test func onlyTheKubernetesServiceClusterIPIsCalledOut() throws {
        let environment = ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"]
        let warning = RudderAgent.selfProxiedAPIServer(RudderConfiguration(), environment: environment)
        #expect(warning?.contains("10.96.0.1:443 (KUBERNETES_SERVICE_HOST)") == true)
        #expect(warning?.contains("set kubernetes.apiServer") == true)
        for yaml in [
            "kubernetes:\n  apiServer: https://192.0.2.10:6443\n", "kubernetes:\n  kubeconfig: /etc/kubeconfig\n",
            "serviceProxy:\n  enabled: false\n",
        ] {
            let configuration = try RudderConfiguration.parse(yaml: yaml, file: "f")
            #expect(RudderAgent.selfProxiedAPIServer(configuration, environment: environment) == nil, "\(yaml)")
        }
        #expect(RudderAgent.selfProxiedAPIServer(RudderConfiguration(), environment: [:]) == nil)
    }

    @Test func aWarningIsOnTheReadinessReportOnly() {
        let health = HealthState()
        health.register("service-proxy")
        health.warn("api-server", "the only API server address is 10.96.0.1:443")
        #expect(health.report(readiness: true).contains("[!]api-server the only API server address is 10.96.0.1:443\n"))
        #expect(!health.report(readiness: false).contains("api-server"))
        health.markReady("service-proxy")
        #expect(health.isReady, "a warning does not change readiness")
    }
}
