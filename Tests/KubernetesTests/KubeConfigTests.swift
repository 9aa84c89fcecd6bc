import Foundation
import Testing

@testable import Kubernetes
@testable import KubernetesModel

@Suite struct KubeConfigTests {
    static let pem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ==\n-----END CERTIFICATE-----\n"
    static var pemBase64: String { Data(pem.utf8).base64EncodedString() }

    @Test func parsesEveryClusterAndUserVariant() throws {
        let directory = try TemporaryDirectory()
        let yaml = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: by-file
              cluster:
                server: https://10.0.0.1:6443
                certificate-authority: pki/ca.crt
                tls-server-name: kubernetes.default
            - name: by-data
              cluster:
                server: https://api.example.com
                certificate-authority-data: \(Self.pemBase64)
            - name: insecure
              cluster:
                server: https://10.0.0.2:6443
                insecure-skip-tls-verify: true
            users:
            - name: static-token
              user:
                token: abc.def
            - name: token-file
              user:
                tokenFile: ./secrets/token
            - name: cert-files
              user:
                client-certificate: /etc/rudder/client.crt
                client-key: client.key
            - name: cert-data
              user:
                client-certificate-data: \(Self.pemBase64)
                client-key-data: \(Self.pemBase64)
            - name: plugin
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: aws
            contexts:
            - name: main
              context:
                cluster: by-file
                user: static-token
                namespace: kube-system
            current-context: main
            preferences: {}
            """
        let config = try KubeConfig(yaml: yaml, path: directory.path + "/config")

        #expect(config.currentContext == "main")
        #expect(
            config.contexts["main"]
                == KubeConfigContext(cluster: "by-file", user: "static-token", namespace: "kube-system"))
        let byFile = try #require(config.clusters["by-file"])
        #expect(byFile.server == "https://10.0.0.1:6443")
        #expect(byFile.certificateAuthority == directory.path + "/pki/ca.crt")
        #expect(byFile.tlsServerName == "kubernetes.default")
        #expect(config.clusters["by-data"]?.certificateAuthorityData == Array(Self.pem.utf8))
        #expect(config.clusters["insecure"]?.insecureSkipTLSVerify == true)
        #expect(config.clusters["by-data"]?.insecureSkipTLSVerify == false)

        #expect(config.users["static-token"]?.token == "abc.def")
        #expect(config.users["token-file"]?.tokenFile == directory.path + "/./secrets/token")
        #expect(config.users["cert-files"]?.clientCertificate == "/etc/rudder/client.crt")
        #expect(config.users["cert-files"]?.clientKey == directory.path + "/client.key")
        #expect(config.users["cert-data"]?.clientCertificateData == Array(Self.pem.utf8))
        #expect(config.users["cert-data"]?.clientKeyData == Array(Self.pem.utf8))
        #expect(config.users["plugin"]?.unsupportedMethods == ["an exec credential plugin"])
    }

    @Test func relativePathsResolveAgainstTheKubeconfigsDirectory() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write(
            "nested/kubeconfig",
            """
            clusters:
            - name: c
              cluster: {server: "https://127.0.0.1:6443", certificate-authority: ../ca.pem}
            users:
            - name: u
              user: {client-certificate: certs/me.crt, client-key: certs/me.key}
            contexts:
            - name: x
              context: {cluster: c, user: u}
            current-context: x
            """)
        let config = try KubeConfig.load(path: file)
        #expect(config.clusters["c"]?.certificateAuthority == directory.path + "/nested/../ca.pem")
        #expect(config.users["u"]?.clientCertificate == directory.path + "/nested/certs/me.crt")
        #expect(config.users["u"]?.clientKey == directory.path + "/nested/certs/me.key")
    }

    @Test func reportsBadBase64WithItsEntry() {
        let yaml = """
            clusters:
            - name: prod
              cluster: {server: "https://x", certificate-authority-data: "not base64!"}
            """
        #expect(
            throws: KubernetesConfigurationError.invalidBase64(
                field: "certificate-authority-data", entry: "prod", kubeconfig: "/k/config")
        ) {
            try KubeConfig(yaml: yaml, path: "/k/config")
        }
    }

    @Test func reportsMalformedYAMLWithThePath() throws {
        let error = #expect(throws: KubernetesConfigurationError.self) {
            try KubeConfig(yaml: "clusters:\n- name: c\n  cluster: [1, 2]\n", path: "/k/config")
        }
        let text = try #require(error).description
        #expect(text.hasPrefix("kubeconfig /k/config is invalid: clusters[0].cluster"), "\(text)")
    }

    @Test func missingFileIsOneClearError() {
        #expect(
            throws: KubernetesConfigurationError.unreadableKubeconfig(
                path: "/nonexistent/kubeconfig", reason: "No such file or directory")
        ) {
            try KubeConfig.load(path: "/nonexistent/kubeconfig")
        }
    }
}
