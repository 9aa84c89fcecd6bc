import Foundation
import Kubernetes
import KubernetesModel
import Logging
import RudderLab
import Synchronization

/// A running test API server with a kubeconfig for it, stopped when the harness goes away (also when a test fails).
final class APIServerHarness: Sendable {
    let directory: TemporaryDirectory
    let server: TestAPIServer
    let kubeconfig: String

    init(
        user: TestAPIServer.KubeconfigUser = .token, tokens: [String] = ["rudder-test-token"],
        bookmarkInterval: Double = 1.0
    ) throws {
        directory = try TemporaryDirectory()
        server = TestAPIServer(directory: directory.path, tokens: tokens, bookmarkInterval: bookmarkInterval)
        try server.start()
        kubeconfig = directory.path + "/kubeconfig"
        try server.writeKubeconfig(to: kubeconfig, user: user)
    }

    deinit {
        server.stop()
    }

    /// A client built from the kubeconfig, with a short idle timeout so that dead connections show quickly.
    func client(idleTimeout: Duration = .seconds(10)) throws -> KubernetesHTTPClient {
        var configuration = try ClientConfiguration.fromKubeconfig(path: kubeconfig)
        configuration.watchIdleTimeout = idleTimeout
        configuration.userAgent = "rudder/test"
        configuration.proxyURL = ""  // a proxy set in the environment must not come between the test and its server
        return try KubernetesHTTPClient(configuration: configuration, logger: Self.logger)
    }

    /// Quiet unless RUDDER_TEST_LOG is set (to a level such as `debug`).
    static let logger: Logger = {
        guard let level = ProcessInfo.processInfo.environment["RUDDER_TEST_LOG"].flatMap({ Logger.Level(rawValue: $0) })
        else {
            return Logger(label: "rudder.kubernetes.test", factory: { _ in SwiftLogNoOpLogHandler() })
        }
        var logger = Logger(label: "rudder.kubernetes.test", factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = level
        return logger
    }()

    /// A backoff fast enough for tests.
    static let fastBackoff = Backoff(
        initial: .milliseconds(20), maximum: .milliseconds(200), jitter: 0.2, resetAfter: .seconds(2))
}
