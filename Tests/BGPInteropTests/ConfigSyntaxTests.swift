import Foundation
import RudderLab
import Testing

/// Every router config we ship or generate passes its router's own syntax check, and each check
/// is shown to reject a broken copy (so a passing check means something).
@Suite("Router configs pass their routers' syntax checks")
struct ConfigSyntaxTests {
    /// The repository's root, found from this file.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let birdConfigs = root + "/bird-configs"
    static let peeringExamples = root + "/docs/examples/peering"

    @Test("The shipped BIRD configs parse", arguments: ["tor.conf", "route-reflector.conf"])
    func shippedBirdConfigParses(_ name: String) throws {
        let result = try Shell.run("bird", ["-p", "-c", Self.birdConfigs + "/" + name])
        #expect(result.succeeded, "\(result.stdout)\(result.stderr)")
    }

    @Test("Every file in bird-configs is a checked config or included by one")
    func everyBirdFileIsChecked() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.birdConfigs).filter {
            $0.hasSuffix(".conf")
        }
        var reached: Set<String> = ["tor.conf", "route-reflector.conf"]
        for top in reached {
            let text = try String(contentsOfFile: Self.birdConfigs + "/" + top, encoding: .utf8)
            for line in text.split(separator: "\n") where line.hasPrefix("include \"") {
                reached.insert(String(line.dropFirst("include \"".count).prefix { $0 != "\"" }))
            }
        }
        #expect(Set(files).isSubset(of: reached), "unchecked: \(Set(files).subtracting(reached))")
        #expect(files.count >= 4)
    }

    @Test(
        "bird -p rejects a broken config, and reads the include files", arguments: ["tor.conf", "route-reflector.conf"])
    func brokenBirdConfigFails(_ name: String) throws {
        try withCopy(of: Self.birdConfigs) { copy in
            let path = copy + "/" + name
            try (String(contentsOfFile: path, encoding: .utf8) + "\nprotocol bgp broken { neighbor as; }\n")
                .write(toFile: path, atomically: true, encoding: .utf8)
            let result = try Shell.run("bird", ["-p", "-c", path])
            #expect(!result.succeeded, "bird -p accepted a broken \(name)")
        }
        try withCopy(of: Self.birdConfigs) { copy in
            // Dropping one definition from the parameters must break the files that use it.
            let params = copy + "/rudder-params.conf"
            let text = try String(contentsOfFile: params, encoding: .utf8)
            try text.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.hasPrefix("define POD_CIDRS_V4") }.joined(separator: "\n")
                .write(toFile: params, atomically: true, encoding: .utf8)
            let result = try Shell.run("bird", ["-p", "-c", copy + "/" + name])
            #expect(!result.succeeded, "bird -p accepted \(name) without POD_CIDRS_V4")
        }
    }

    @Test("The FRR example passes vtysh -C, a broken copy fails")
    func frrExample() throws {
        let path = Self.peeringExamples + "/frr.conf"
        let good = try vtyshCheck(path)
        #expect(good.succeeded, "\(good.stdout)\(good.stderr)")
        try withCopy(of: Self.peeringExamples) { copy in
            let broken = copy + "/frr.conf"
            try
                (String(contentsOfFile: broken, encoding: .utf8)
                + "router bgp 65000\n neighbor RUDDER-V4 remote-ass 1\n")
                .write(toFile: broken, atomically: true, encoding: .utf8)
            let result = try vtyshCheck(broken)
            #expect(!result.succeeded, "vtysh -C accepted a broken frr.conf")
        }
    }

    @Test("The GoBGP example passes gobgpd -d, a broken copy fails")
    func gobgpExample() throws {
        let path = Self.peeringExamples + "/gobgpd.toml"
        let good = try Shell.run("gobgpd", ["-d", "-f", path])
        #expect(good.succeeded, "\(good.stdout)\(good.stderr)")
        try withCopy(of: Self.peeringExamples) { copy in
            let broken = copy + "/gobgpd.toml"
            let text = try String(contentsOfFile: broken, encoding: .utf8)
            #expect(text.contains("as = 65000"))
            try text.replacingOccurrences(of: "as = 65000", with: "as = \"sixty-five thousand\"")
                .write(toFile: broken, atomically: true, encoding: .utf8)
            let result = try Shell.run("gobgpd", ["-d", "-f", broken])
            #expect(!result.succeeded, "gobgpd -d accepted a broken gobgpd.toml")
        }
    }

    @Test("The configs the lab generates pass the same checks")
    func generatedConfigs() throws {
        let configuration = BGPPeerLabRouterConfiguration(
            localAS: 4_200_000_001, routerID: "10.255.0.1", listenAddresses: ["10.255.0.1", "fd00:255:0::1"],
            neighbors: [
                .init(address: "10.255.0.2", remoteAS: 65001, password: "secret-1"),
                .init(address: "fd00:255:0::2", remoteAS: 65001, passive: true),
            ],
            neighborRanges: [.init(prefix: BGPPeerLabLink.ipv4Range, remoteAS: 64512, password: "range-secret")],
            originatedRoutes: [
                BGPPeerLabOriginatedRoute(
                    "10.1.0.0/24", communities: [.init(65000, 1)], largeCommunities: [.init(4_200_000_001, 1, 2)]),
                BGPPeerLabOriginatedRoute("fd00:1::/64", communities: [.init(65000, 6)]),
                BGPPeerLabOriginatedRoute("10.2.0.0/24"),
            ])
        try withCopy(of: nil) { directory in
            let staticFile = directory + "/static.conf"
            let bulkFile = directory + "/bulk.conf"
            try BirdRouterConfigFile.staticRoutes(configuration.originatedRoutes)
                .write(toFile: staticFile, atomically: true, encoding: .utf8)
            try BirdRouterBulkRoutes(count: 1000, communities: [.init(65000, 9)], largeCommunities: [.init(1, 2, 3)])
                .write(toFile: bulkFile)
            let bird = directory + "/bird.conf"
            try BirdRouterConfigFile.main(
                configuration, staticFile: staticFile, kernelMergePaths: true, extraIncludes: [bulkFile]
            ).write(toFile: bird, atomically: true, encoding: .utf8)
            let birdResult = try Shell.run("bird", ["-p", "-c", bird])
            #expect(birdResult.succeeded, "\(birdResult.stderr)")

            let gobgp = directory + "/gobgpd.toml"
            try GoBGPRouterConfigFile.toml(configuration).write(toFile: gobgp, atomically: true, encoding: .utf8)
            let gobgpResult = try Shell.run("gobgpd", ["-d", "-f", gobgp])
            #expect(gobgpResult.succeeded, "\(gobgpResult.stdout)")

            let frr = directory + "/bgpd.conf"
            try FRRRouterConfigFile.bgpd(configuration).write(toFile: frr, atomically: true, encoding: .utf8)
            let frrResult = try vtyshCheck(frr)
            #expect(frrResult.succeeded, "\(frrResult.stdout)\(frrResult.stderr)")
        }
    }

    /// `vtysh -C -f FILE` with an empty configuration directory of its own, so nothing under /etc/frr is read.
    private func vtyshCheck(_ path: String) throws -> CommandResult {
        try withCopy(of: nil) { directory in
            try "".write(toFile: directory + "/vtysh.conf", atomically: true, encoding: .utf8)
            return try Shell.run("vtysh", ["--config_dir", directory, "-C", "-f", path])
        }
    }

    /// Runs `body` with a temporary directory holding a copy of `source` (or empty), removed afterwards.
    private func withCopy<Result>(of source: String?, _ body: (String) throws -> Result) throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "rudder-config-check-\(UUID().uuidString)"
        ).path
        if let source {
            try FileManager.default.copyItem(atPath: source, toPath: directory)
        } else {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        return try body(directory)
    }
}
