import Foundation
import Testing

@testable import Kubernetes
@testable import KubernetesModel

@Suite struct ClientConfigurationTests {
    /// A kubeconfig with one context whose cluster and user entries are given as YAML lines.
    static func kubeconfig(cluster: String, user: String) -> String {
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: lab
          cluster:
        \(cluster.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        users:
        - name: agent
          user:
        \(user.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        contexts:
        - name: lab
          context: {cluster: lab, user: agent, namespace: kube-system}
        current-context: lab
        """
    }

    @Test func caFileTokenFileAndTLSServerName() throws {
        let directory = try TemporaryDirectory()
        try directory.write("ca.crt", KubeConfigTests.pem)
        try directory.write("token", "secret-token\n")
        let path = try directory.write(
            "config",
            Self.kubeconfig(
                cluster: """
                    server: https://192.0.2.1:6443
                    certificate-authority: ca.crt
                    tls-server-name: api.lab
                    proxy-url: socks5://127.0.0.1:1080
                    """,
                user: "tokenFile: token"))
        let configuration = try ClientConfiguration.fromKubeconfig(path: path)
        #expect(configuration.server.absoluteString == "https://192.0.2.1:6443")
        #expect(configuration.certificateAuthority == .file(directory.path + "/ca.crt"))
        #expect(configuration.tlsServerName == "api.lab")
        #expect(configuration.proxyURL == "socks5://127.0.0.1:1080")
        #expect(configuration.namespace == "kube-system")
        #expect(configuration.allowInsecure == false)
        #expect(configuration.tokenSource?.path == directory.path + "/token")
        #expect(try configuration.tokenSource?.currentToken() == "secret-token")
        #expect(configuration.clientCertificate == nil)
    }

    @Test func embeddedCertificates() throws {
        let data = KubeConfigTests.pemBase64
        let yaml = Self.kubeconfig(
            cluster: "server: https://api.lab\ncertificate-authority-data: \(data)",
            user: "client-certificate-data: \(data)\nclient-key-data: \(data)")
        let configuration = try ClientConfiguration.fromKubeconfig(KubeConfig(yaml: yaml, path: "/etc/k/config"))
        let pem = Array(KubeConfigTests.pem.utf8)
        #expect(configuration.certificateAuthority == .data(pem))
        #expect(configuration.clientCertificate == .data(pem))
        #expect(configuration.clientKey == .data(pem))
        #expect(configuration.tokenSource == nil)
    }

    @Test func staticTokenAndAnotherContext() throws {
        var config = try KubeConfig(
            yaml: Self.kubeconfig(cluster: "server: https://api.lab", user: "token: t0k3n"), path: "/k")
        config.contexts["other"] = KubeConfigContext(cluster: "lab", user: "agent", namespace: nil)
        let configuration = try ClientConfiguration.fromKubeconfig(config, context: "other")
        #expect(try configuration.tokenSource?.currentToken() == "t0k3n")
        #expect(configuration.namespace == nil)
        #expect("\(configuration.tokenSource!)" == "static token (redacted)")
    }

    @Test func missingCAFileIsOneClearErrorNamingFileAndKubeconfig() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(
            "config",
            Self.kubeconfig(cluster: "server: https://api.lab\ncertificate-authority: pki/ca.crt", user: "token: x"))
        let error = #expect(throws: KubernetesConfigurationError.self) {
            try ClientConfiguration.fromKubeconfig(path: path)
        }
        #expect(
            error?.description
                == "certificate authority file \(directory.path)/pki/ca.crt (from kubeconfig \(path)) cannot be read: "
                + "No such file or directory")
    }

    @Test func missingClientKeyFileIsReported() throws {
        let directory = try TemporaryDirectory()
        try directory.write("client.crt", KubeConfigTests.pem)
        let path = try directory.write(
            "config",
            Self.kubeconfig(
                cluster: "server: https://api.lab", user: "client-certificate: client.crt\nclient-key: client.key"))
        #expect(
            throws: KubernetesConfigurationError.missingFile(
                role: "client key", path: directory.path + "/client.key", source: "kubeconfig \(path)",
                reason: "No such file or directory")
        ) {
            try ClientConfiguration.fromKubeconfig(path: path)
        }
    }

    @Test func insecureSkipVerifyIsRefusedUnlessAllowed() throws {
        let config = try KubeConfig(
            yaml: Self.kubeconfig(cluster: "server: https://api.lab\ninsecure-skip-tls-verify: true", user: "token: x"),
            path: "/k/config")
        let error = #expect(throws: KubernetesConfigurationError.self) {
            try ClientConfiguration.fromKubeconfig(config)
        }
        #expect(
            error
                == .insecureRefused(
                    cluster: "lab", kubeconfig: "/k/config", reason: "sets insecure-skip-tls-verify: true"))
        #expect(error?.description.contains("refusing to talk to the API server without verifying it") == true)
        let allowed = try ClientConfiguration.fromKubeconfig(config, allowInsecure: true)
        #expect(allowed.allowInsecure)
    }

    @Test func plainHTTPIsRefusedUnlessAllowed() throws {
        let config = try KubeConfig(
            yaml: Self.kubeconfig(cluster: "server: http://127.0.0.1:8001", user: "token: x"), path: "/k/config")
        #expect(throws: KubernetesConfigurationError.self) { try ClientConfiguration.fromKubeconfig(config) }
        #expect(try ClientConfiguration.fromKubeconfig(config, allowInsecure: true).allowInsecure)
    }

    @Test func entryErrors() throws {
        let good = try KubeConfig(
            yaml: Self.kubeconfig(cluster: "server: https://api.lab", user: "token: x"), path: "/k")
        #expect(throws: KubernetesConfigurationError.missingEntry(kind: "context", name: "nope", kubeconfig: "/k")) {
            try ClientConfiguration.fromKubeconfig(good, context: "nope")
        }
        var noCurrent = good
        noCurrent.currentContext = nil
        #expect(throws: KubernetesConfigurationError.noCurrentContext(kubeconfig: "/k")) {
            try ClientConfiguration.fromKubeconfig(noCurrent)
        }
        var noUser = good
        noUser.users = [:]
        #expect(throws: KubernetesConfigurationError.missingEntry(kind: "user", name: "agent", kubeconfig: "/k")) {
            try ClientConfiguration.fromKubeconfig(noUser)
        }
        let badServer = try KubeConfig(
            yaml: Self.kubeconfig(cluster: "server: api.lab:6443", user: "token: x"), path: "/k")
        #expect(
            throws: KubernetesConfigurationError.invalidServer(server: "api.lab:6443", cluster: "lab", kubeconfig: "/k")
        ) {
            try ClientConfiguration.fromKubeconfig(badServer)
        }
        let plugin = try KubeConfig(
            yaml: Self.kubeconfig(cluster: "server: https://api.lab", user: "exec: {command: aws}"), path: "/k")
        #expect(
            throws: KubernetesConfigurationError.unsupportedAuthentication(
                user: "agent", method: "an exec credential plugin", kubeconfig: "/k")
        ) {
            try ClientConfiguration.fromKubeconfig(plugin)
        }
        let halfCertificate = try KubeConfig(
            yaml: Self.kubeconfig(
                cluster: "server: https://api.lab", user: "client-certificate-data: \(KubeConfigTests.pemBase64)"),
            path: "/k")
        #expect(throws: KubernetesConfigurationError.incompleteClientCertificate(user: "agent", kubeconfig: "/k")) {
            try ClientConfiguration.fromKubeconfig(halfCertificate)
        }
    }

    @Test func inClusterFromEnvironmentAndServiceAccount() throws {
        let directory = try TemporaryDirectory()
        let token = try directory.write("token", "sa-token")
        let ca = try directory.write("ca.crt", KubeConfigTests.pem)
        try directory.write("namespace", "kube-system\n")
        let environment = ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"]
        let configuration = try ClientConfiguration.inCluster(environment: environment, tokenPath: token, caPath: ca)
        #expect(configuration.server.absoluteString == "https://10.96.0.1:443")
        #expect(configuration.certificateAuthority == .file(ca))
        #expect(try configuration.tokenSource?.currentToken() == "sa-token")
        #expect(configuration.namespace == "kube-system")
    }

    @Test func inClusterBracketsAnIPv6Host() throws {
        let directory = try TemporaryDirectory()
        let token = try directory.write("token", "sa-token")
        let ca = try directory.write("ca.crt", KubeConfigTests.pem)
        let environment = ["KUBERNETES_SERVICE_HOST": "fd00:10:96::1", "KUBERNETES_SERVICE_PORT": "6443"]
        let configuration = try ClientConfiguration.inCluster(environment: environment, tokenPath: token, caPath: ca)
        #expect(configuration.server.absoluteString == "https://[fd00:10:96::1]:6443")
        #expect(configuration.namespace == nil)
    }

    @Test func inClusterErrors() throws {
        #expect(
            throws: KubernetesConfigurationError.notInCluster(
                reason: "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set")
        ) {
            try ClientConfiguration.inCluster(environment: [:])
        }
        #expect(throws: KubernetesConfigurationError.self) {
            try ClientConfiguration.inCluster(
                environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "https"])
        }
        let directory = try TemporaryDirectory()
        let ca = try directory.write("ca.crt", KubeConfigTests.pem)
        #expect(
            throws: KubernetesConfigurationError.missingFile(
                role: "service account token", path: directory.path + "/token",
                source: "the in-cluster service account",
                reason: "No such file or directory")
        ) {
            try ClientConfiguration.inCluster(
                environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"],
                tokenPath: directory.path + "/token", caPath: ca)
        }
    }

    @Test func discoverPrefersAnExplicitKubeconfigThenInCluster() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("config", Self.kubeconfig(cluster: "server: https://api.lab", user: "token: x"))
        let explicit = try ClientConfiguration.discover(
            kubeconfig: path, environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"])
        #expect(explicit.server.absoluteString == "https://api.lab")
        let fromVariable = try ClientConfiguration.discover(environment: ["KUBECONFIG": ":\(path):/other"])
        #expect(fromVariable.server.absoluteString == "https://api.lab")
        #expect(throws: KubernetesConfigurationError.self) {
            try ClientConfiguration.discover(environment: ["HOME": directory.path])
        }
    }
}
