import Foundation
import Logging
import Testing

@testable import Kubernetes
@testable import KubernetesModel

@Suite struct PathEscapingTests {
    @Test func queryComponentsAreFullyEscaped() {
        #expect(PathEscaping.component("app=web,tier in (a, b)") == "app%3Dweb%2Ctier%20in%20%28a%2C%20b%29")
        #expect(PathEscaping.component("!service.kubernetes.io/headless") == "%21service.kubernetes.io%2Fheadless")
        #expect(PathEscaping.component("eyJ2Ijo+/x==") == "eyJ2Ijo%2B%2Fx%3D%3D")
        #expect(PathEscaping.component("ünï") == "%C3%BCn%C3%AF")
        #expect(PathEscaping.query([]) == "")
        #expect(
            PathEscaping.query([("limit", "500"), ("fieldSelector", "spec.nodeName=w-1")])
                == "?limit=500&fieldSelector=spec.nodeName%3Dw-1")
    }

    @Test func clientURLsKeepTheServersPathPrefixAndHonourTLSServerName() throws {
        let behindProxy = try KubernetesHTTPClient(
            configuration: ClientConfiguration(server: URL(string: "https://proxy.lab/k8s/clusters/c-1/")!))
        #expect(
            behindProxy.url(path: "/api/v1/services", query: [("labelSelector", "a=b")])
                == "https://proxy.lab:443/k8s/clusters/c-1/api/v1/services?labelSelector=a%3Db")
        let renamed = try KubernetesHTTPClient(
            configuration: ClientConfiguration(
                server: URL(string: "https://[fd00::1]:6443")!, tlsServerName: "kubernetes.default.svc"))
        #expect(renamed.url(path: "api/v1/nodes", query: []) == "https://kubernetes.default.svc:6443/api/v1/nodes")
    }

    @Test func plainHTTPNeedsConsent() {
        #expect(throws: KubernetesConfigurationError.self) {
            try KubernetesHTTPClient(configuration: ClientConfiguration(server: URL(string: "http://127.0.0.1:8001")!))
        }
    }
}
