import Agent
import Foundation
import GuestTesting
import RudderLab
import Testing
import Yams

/// The image `make image` builds (`scripts/test.sh` builds it before the tests), as an operator
/// gets it: the binary inside reports its version and commit, checks the shipped ConfigMap's
/// configuration, links no Swift runtime library, and the image carries the OCI labels.
// Skipped only when not root: the image lives in root's podman store, where `make image` (run
// by the test command, as root) put it; a non-root user has a different, empty store.
@Suite(.enabled(if: getuid() == 0, "the image is in root's podman store, where make image puts it"), .serialized)
struct ImageTests {
    static let image = "localhost/rudder:\(RudderVersion.current)"

    /// `podman run` as `scripts/image.sh` runs its build: runc, and limits these machines allow.
    static func run(_ arguments: [String]) throws -> CommandResult {
        let processes = min(Int(try Self.limit("-Hu")) ?? 32768, 32768)
        let files = try Self.limit("-Hn")
        return try Shell.run(
            "podman",
            [
                "--runtime", "runc", "run", "--rm", "--ulimit", "nofile=\(files):\(files)",
                "--ulimit", "nproc=\(processes):\(processes)",
            ] + arguments)
    }

    static func limit(_ option: String) throws -> String {
        try Shell.check("bash", ["-c", "ulimit \(option)"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func label(_ name: String) throws -> String {
        try Shell.check("podman", ["image", "inspect", "--format", "{{index .Labels \"\(name)\"}}", image])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func theBinaryReportsTheVersionAndTheCommitOfItsLabels() throws {
        let version = try Self.run([Self.image, "version"])
        #expect(version.succeeded, "\(version)")
        let revision = try Self.label("org.opencontainers.image.revision")
        #expect(revision.count == 40, "the image records a full commit id")
        #expect(
            version.stdout.hasPrefix("rudder \(RudderVersion.current) (revision \(revision.prefix(12)), built "),
            "\(version.stdout)")
        #expect(try Self.label("org.opencontainers.image.version") == RudderVersion.current)
        #expect(try Self.label("org.opencontainers.image.licenses") == "Apache-2.0")
        #expect(!(try Self.label("org.opencontainers.image.created")).isEmpty)
    }

    @Test func theShippedConfigMapChecksInsideTheContainer() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("manifests/configmap.yaml").path
        let configMap = try #require(
            try Yams.load(yaml: try String(contentsOfFile: path, encoding: .utf8)) as? [String: Any])
        let text = try #require((configMap["data"] as? [String: String])?["rudder.yaml"])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rudder-image-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try text.write(to: directory.appendingPathComponent("rudder.yaml"), atomically: true, encoding: .utf8)
        let checked = try Self.run([
            "-v", "\(directory.path):/etc/rudder:ro", Self.image, "check-config", "/etc/rudder/rudder.yaml",
        ])
        #expect(checked.succeeded && checked.stdout.contains("/etc/rudder/rudder.yaml: OK"), "\(checked)")
        // And a broken one is refused there too, naming the line.
        try "logLevel: loud\n".write(
            to: directory.appendingPathComponent("rudder.yaml"), atomically: true, encoding: .utf8)
        let refused = try Self.run([
            "-v", "\(directory.path):/etc/rudder:ro", Self.image, "check-config", "/etc/rudder/rudder.yaml",
        ])
        #expect(refused.status == 1 && refused.stderr.contains("/etc/rudder/rudder.yaml:1:"), "\(refused)")
    }

    /// The Swift runtime is inside the binary; what it links dynamically is Debian's, and the
    /// commands its netfilter rules go through are there.
    @Test func theImageHoldsTheRuntimeItNeedsAndNoSwiftLibrary() throws {
        let linked = try Self.run(["--entrypoint", "ldd", Self.image, "/usr/local/bin/rudder"])
        #expect(linked.succeeded, "\(linked)")
        #expect(!linked.stdout.contains("libswift") && !linked.stdout.contains("libFoundation"), "\(linked.stdout)")
        #expect(!linked.stdout.contains("not found"), "\(linked.stdout)")
        for library in ["libnl-3.so", "libnl-route-3.so", "libnl-genl-3.so", "libipset.so", "libcurl.so"] {
            #expect(linked.stdout.contains(library), "\(library)")
        }
        let tools = try Self.run([
            "--entrypoint", "sh", Self.image, "-c",
            "for tool in iptables ip6tables iptables-restore ipset; do command -v $tool; done",
        ])
        #expect(tools.succeeded && tools.stdout.split(separator: "\n").count == 4, "\(tools)")
    }

    /// The host kernel has no IPVS: the image's IPVS path runs in a User-Mode Linux guest, the
    /// image's own binary, libraries and iptables chrooted into its exported root filesystem.
    @Test(.userModeLinux) func theImagesOwnBinaryProgramsIPVSInAGuest() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("rudder-image-root-\(UUID())").path
        let container = "rudder-image-export-\(UInt32.random(in: .min ... .max))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer {
            _ = try? Shell.run("podman", ["rm", "--force", container])
            try? FileManager.default.removeItem(atPath: root)
        }
        try Shell.check("podman", ["create", "--name", container, Self.image])
        try Shell.check("bash", ["-c", "podman export \(container) | tar -x -C \(root)"])
        let modules = MasqueradeTrafficTests.modules.joined(separator: " ")
        let run = try Shell.run(
            KubePlayPod.repositoryFile("scripts/uml-run.sh"),
            [modules, KubePlayPod.repositoryFile("scripts/demo/image-ipvs-in-guest.sh"), root])
        #expect(run.succeeded, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("TCP  10.96.0.10:80 rr"), "\(run.stdout)")
        #expect(run.stdout.contains("-> 10.200.1.2:8080") && run.stdout.contains("-> 10.200.2.2:8080"), "\(run.stdout)")
        #expect(run.stdout.contains("-A RUDDER-POSTROUTING -j MASQUERADE"), "\(run.stdout)")
    }
}
