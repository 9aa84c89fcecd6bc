import Foundation

/// A large table for BIRD to originate: `count` distinct IPv4 /24s, consecutive from `first`,
/// all sharing one attribute set (the communities are added once, by the static protocol's import filter).
///
/// Used as the sender of ingest benchmarks and tests: BIRD loads a static protocol of a million
/// `route … blackhole;` lines in a few seconds and sends the table at line rate.
public struct BirdRouterBulkRoutes: Sendable, Equatable {
    /// How many /24s.
    public var count: Int
    /// The first /24's network address as a 32-bit number (16.0.0.0 by default; a million /24s reach 31.255.255.0).
    public var first: UInt32
    /// Communities every route carries.
    public var communities: [BGPPeerLabRoute.Community]
    /// Large communities every route carries.
    public var largeCommunities: [BGPPeerLabRoute.LargeCommunity]

    /// A table of `count` /24s; throws when they would run past 255.255.255.0.
    public init(
        count: Int, first: UInt32 = 0x1000_0000, communities: [BGPPeerLabRoute.Community] = [],
        largeCommunities: [BGPPeerLabRoute.LargeCommunity] = []
    ) throws {
        guard count >= 0, UInt64(first >> 8) + UInt64(count) <= 1 << 24, first & 0xff == 0 else {
            throw BGPPeerLabError("bulk routes", "\(count) /24s from \(Self.address(first)) do not fit in IPv4")
        }
        self.count = count
        self.first = first
        self.communities = communities
        self.largeCommunities = largeCommunities
    }

    /// The `index`th prefix ("16.0.1.0/24" for index 1).
    public func prefix(at index: Int) -> String {
        Self.address(first + UInt32(index) << 8) + "/24"
    }

    /// Writes the static protocol `bulk_ipv4` holding every route to `path`, streaming (a million routes is ~30 MB).
    public func write(toFile path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw BGPPeerLabError("bulk routes", "cannot create \(path)") }
        defer { try? handle.close() }
        var actions = communities.map { "bgp_community.add((\($0.asn),\($0.value)));" }
        actions += largeCommunities.map { "bgp_large_community.add((\($0.global),\($0.local1),\($0.local2)));" }
        let header =
            "# \(count) /24s sharing one attribute set.\nprotocol static bulk_ipv4 {\n"
            + "    ipv4 { import filter { \(actions.joined(separator: " ")) accept; }; };\n"
        try handle.write(contentsOf: Data(header.utf8))
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        for index in 0..<count {
            buffer += "    route ".utf8
            buffer += prefix(at: index).utf8
            buffer += " blackhole;\n".utf8
            if buffer.count >= 1 << 20 - 64 {
                try handle.write(contentsOf: buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        buffer += "}\n".utf8
        try handle.write(contentsOf: buffer)
    }

    private static func address(_ value: UInt32) -> String {
        "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
    }
}
