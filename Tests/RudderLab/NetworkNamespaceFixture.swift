import Foundation
import Netlink
import Synchronization

/// A network namespace of the host kernel, created for one test and removed after it.
///
/// Names are random so that tests running in parallel never share a namespace. Removal is
/// explicit (`remove()`), with `deinit` as a safety net for a test that forgot or threw.
public final class NetworkNamespaceFixture: Sendable, CustomStringConvertible {
    /// The name under /run/netns, for `ip -n NAME` and `ip netns exec NAME`.
    public let name: String
    private let isRemoved = Atomic<Bool>(false)

    /// The namespace as the Netlink module addresses it.
    public var namespace: NetworkNamespace { .named(name) }

    /// The namespace's name.
    public var description: String { name }

    /// Creates a namespace named `prefix-<random>` and brings its loopback up.
    public init(prefix: String = "rudder-test") throws {
        name = "\(prefix)-\(UInt32.random(in: .min ... .max).hexString)"
        try Shell.check("ip", ["netns", "add", name])
        do {
            try ip("link", "set", "lo", "up")
        } catch {
            try? remove()
            throw error
        }
    }

    deinit {
        try? remove()
    }

    /// Runs `ip -n NAME ARGUMENTS...` and returns its standard output.
    @discardableResult
    public func ip(_ arguments: String...) throws -> String {
        try ip(arguments)
    }

    /// Runs `ip -n NAME ARGUMENTS` and returns its standard output.
    @discardableResult
    public func ip(_ arguments: [String]) throws -> String {
        try Shell.check("ip", ["-n", name] + arguments)
    }

    /// Runs any command inside the namespace (`ip netns exec`), without checking its status.
    public func run(_ command: String, _ arguments: [String] = []) throws -> CommandResult {
        try Shell.run("ip", ["netns", "exec", name, command] + arguments)
    }

    /// Creates a veth pair `name`–`peer`, both up; the peer lands in `peerNamespace`, or here when nil.
    ///
    /// Avoid one-letter names such as `a`: `ip` reads them as abbreviations of keywords (`address`).
    public func addVethPair(_ name: String, peer: String, peerNamespace: NetworkNamespaceFixture? = nil) throws {
        let target = peerNamespace ?? self
        try ip("link", "add", name, "type", "veth", "peer", "name", peer, "netns", target.name)
        try ip("link", "set", name, "up")
        try target.ip("link", "set", peer, "up")
    }

    /// Adds `address` (CIDR notation, IPv4 or IPv6) to `device`; IPv6 skips duplicate address detection.
    public func addAddress(_ address: String, to device: String) throws {
        // Without nodad an IPv6 address stays tentative for about a second and cannot be bound.
        let extra = address.contains(":") ? ["nodad"] : []
        try ip(["address", "add", address, "dev", device] + extra)
    }

    /// Sets `device` administratively up.
    public func setUp(_ device: String) throws {
        try ip("link", "set", device, "up")
    }

    /// Names of the links in the namespace.
    public func linkNames() throws -> [String] {
        try ip("-o", "link", "show").split(separator: "\n").compactMap { line in
            // "7: rv0@rv1: <...>": the name sits between the first ": " and an optional "@peer".
            let fields = line.split(separator: ":", maxSplits: 2)
            guard fields.count >= 2 else { return nil }
            let name = fields[1].trimmingCharacters(in: .whitespaces)
            return String(name.split(separator: "@").first ?? Substring(name))
        }
    }

    /// Whether a namespace of this name is still registered.
    public var exists: Bool {
        Self.registeredNames().contains(name)
    }

    /// Deletes the namespace; calling it again does nothing.
    public func remove() throws {
        guard !isRemoved.exchange(true, ordering: .acquiringAndReleasing) else { return }
        try Shell.check("ip", ["netns", "del", name])
    }

    /// Names listed by `ip netns list` (each line is "NAME" or "NAME (id: N)").
    public static func registeredNames() -> [String] {
        let listing = (try? Shell.check("ip", ["netns", "list"])) ?? ""
        return listing.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
    }
}

/// Runs `body` with a fresh namespace and removes the namespace afterwards, also when `body` throws.
public func withNetworkNamespace<Result>(
    prefix: String = "rudder-test", isolation: isolated (any Actor)? = #isolation,
    _ body: (NetworkNamespaceFixture) async throws -> Result
) async throws -> Result {
    let fixture = try NetworkNamespaceFixture(prefix: prefix)
    let result: Result
    do {
        result = try await body(fixture)
    } catch {
        try? fixture.remove()
        throw error
    }
    try fixture.remove()
    return result
}

/// Runs `body` with two fresh namespaces (for veth pairs between them) and removes both afterwards.
public func withNetworkNamespaces<Result>(
    prefix: String = "rudder-test", isolation: isolated (any Actor)? = #isolation,
    _ body: (NetworkNamespaceFixture, NetworkNamespaceFixture) async throws -> Result
) async throws -> Result {
    try await withNetworkNamespace(prefix: prefix) { first in
        try await withNetworkNamespace(prefix: prefix) { second in
            try await body(first, second)
        }
    }
}

extension UInt32 {
    fileprivate var hexString: String {
        let digits = String(self, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
