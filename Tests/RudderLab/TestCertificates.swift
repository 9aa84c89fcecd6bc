import Foundation

/// A throwaway PKI for tests: a CA, a server certificate for 127.0.0.1/localhost and a client
/// certificate for `system:node:test`, all EC P-256 and made with the `openssl` command.
public struct TestCertificates: Sendable, Equatable {
    /// The directory that holds the files.
    public var directory: String
    /// The CA's certificate (PEM); give it to clients as their trust anchor.
    public var caCertificate: String { directory + "/ca.crt" }
    /// The CA's private key (PEM).
    public var caKey: String { directory + "/ca.key" }
    /// The server certificate (PEM), for IP:127.0.0.1 and DNS:localhost, signed by the CA.
    public var serverCertificate: String { directory + "/server.crt" }
    /// The server certificate's private key (PEM).
    public var serverKey: String { directory + "/server.key" }
    /// The client certificate (PEM): CN=system:node:test, O=system:nodes, signed by the CA.
    public var clientCertificate: String { directory + "/client.crt" }
    /// The client certificate's private key (PEM).
    public var clientKey: String { directory + "/client.key" }

    /// The file names in `directory`, without creating anything (see `generate(in:)`).
    public init(directory: String) {
        self.directory = directory
    }

    /// Whether all six files exist.
    public var exist: Bool {
        [caCertificate, caKey, serverCertificate, serverKey, clientCertificate, clientKey]
            .allSatisfy { FileManager.default.fileExists(atPath: $0) }
    }

    /// Makes a CA, a server and a client certificate in `directory` (created if missing).
    public static func generate(in directory: String) throws -> TestCertificates {
        let certificates = TestCertificates(directory: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try writeConfiguration(in: directory)
        try openssl(
            [
                "-keyout", certificates.caKey, "-out", certificates.caCertificate, "-days", "3650",
                "-subj", "/CN=rudder-test-ca", "-extensions", "ca_ext",
            ], in: directory)
        try openssl(
            [
                "-keyout", certificates.serverKey, "-out", certificates.serverCertificate, "-days", "365",
                "-subj", "/CN=kube-apiserver", "-CA", certificates.caCertificate, "-CAkey", certificates.caKey,
                "-extensions", "server_ext",
            ], in: directory)
        try certificates.issueClientCertificate(
            commonName: "system:node:test", organization: "system:nodes", certificate: certificates.clientCertificate,
            key: certificates.clientKey)
        return certificates
    }

    /// Signs one more client certificate with this CA (for a second identity in a test).
    public func issueClientCertificate(
        commonName: String, organization: String?, certificate: String, key: String
    ) throws {
        try Self.writeConfiguration(in: directory)
        let subject = (organization.map { "/O=\($0)" } ?? "") + "/CN=\(commonName)"
        try Self.openssl(
            [
                "-keyout", key, "-out", certificate, "-days", "365", "-subj", subject, "-CA", caCertificate,
                "-CAkey", caKey, "-extensions", "client_ext",
            ], in: directory)
    }

    private static func openssl(_ arguments: [String], in directory: String) throws {
        let common = [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-config", directory + "/openssl.cnf",
        ]
        try Shell.check("/usr/bin/openssl", common + arguments)
    }

    private static func writeConfiguration(in directory: String) throws {
        let path = directory + "/openssl.cnf"
        guard !FileManager.default.fileExists(atPath: path) else { return }
        let configuration = """
            [req]
            distinguished_name = dn
            prompt = no
            [dn]
            CN = unused
            [ca_ext]
            basicConstraints = critical,CA:TRUE
            keyUsage = critical,keyCertSign,cRLSign
            subjectKeyIdentifier = hash
            [server_ext]
            basicConstraints = critical,CA:FALSE
            keyUsage = critical,digitalSignature,keyEncipherment
            extendedKeyUsage = serverAuth
            subjectAltName = IP:127.0.0.1,DNS:localhost
            authorityKeyIdentifier = keyid
            [client_ext]
            basicConstraints = critical,CA:FALSE
            keyUsage = critical,digitalSignature,keyEncipherment
            extendedKeyUsage = clientAuth
            authorityKeyIdentifier = keyid

            """
        try configuration.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
