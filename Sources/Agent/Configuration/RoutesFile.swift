import Addresses
import PodRouting
import Yams

/// A desired set of pod routes, as `rudder routes apply --file` reads it; valid as a whole or not at all.
public struct RoutesFile: Sendable, Equatable {
    /// The table to use instead of the agent configuration's, if any.
    public var table: UInt32?
    /// The metric to use instead of the agent configuration's, if any.
    public var metric: UInt32?
    /// The routes, in file order.
    public var routes: [PodRoute]

    /// A routes file's contents.
    public init(table: UInt32? = nil, metric: UInt32? = nil, routes: [PodRoute]) {
        self.table = table
        self.metric = metric
        self.routes = routes
    }

    /// The keys valid at the top level.
    static let keys = ["table", "metric", "routes"]
    /// The keys valid in a route.
    static let routeKeys = ["prefix", "via", "weights"]
    /// The kernel stores a next hop's weight less one in a byte.
    static let weights: ClosedRange<Int> = 1...256

    /// Reads and validates the file at `path`.
    public static func load(path: String) throws(ConfigurationError) -> RoutesFile {
        try parse(yaml: YAMLReader.readFile(path: path), file: path)
    }

    /// Validates `yaml` and returns its routes, or throws every problem found so that nothing of it is applied.
    public static func parse(yaml: String, file: String) throws(ConfigurationError) -> RoutesFile {
        var reader = YAMLReader(file: file)
        let root = try reader.root(yaml: yaml, keys: keys)
        var result = RoutesFile(routes: [])
        result.table = reader.routeTable("table", in: root)
        result.metric = reader.routeMetric("metric", in: root)
        if let node = root["routes"] {
            if let items = reader.sequence(node, path: "routes", expected: "a list of routes") {
                var lines: [IPPrefix: Int] = [:]
                for (index, item) in items.enumerated() {
                    if let route = readRoute(item, path: "routes[\(index)]", lines: &lines, with: &reader) {
                        result.routes.append(route)
                    }
                }
            }
        } else {
            // An empty set would make `routes apply` remove every route Rudder owns: ask for it explicitly.
            let message = "no 'routes' list (write 'routes: []' to mean no routes at all)"
            reader.reportMissing(message, in: root, key: "routes")
        }
        try reader.finish()
        return result
    }

    /// The settings to apply this file with: `base` with this file's table and metric where it sets them.
    public func settings(overriding base: PodRoutingSettings) -> PodRoutingSettings {
        var settings = base
        if let table { settings.table = table }
        if let metric { settings.metric = metric }
        return settings
    }

    /// Reads one route; nil when it has any problem. `lines` maps each prefix seen so far to its line.
    private static func readRoute(
        _ item: Node, path: String, lines: inout [IPPrefix: Int], with reader: inout YAMLReader
    ) -> PodRoute? {
        guard let mapping = reader.mapping(item, path: path, keys: routeKeys) else { return nil }
        let problemsBefore = reader.problems.count
        let prefix = readPrefix(mapping, lines: &lines, with: &reader)
        let name = prefix.map { "route \($0)" } ?? "the route"
        let nextHops = readNextHops(mapping, prefix: prefix, name: name, with: &reader)
        let weights = readWeights(mapping, nextHops: nextHops, name: name, with: &reader)
        guard let prefix, let nextHops, reader.problems.count == problemsBefore else { return nil }
        return PodRoute(prefix: prefix, nextHops: nextHops, weights: weights)
    }

    /// The route's prefix, recording a malformed or repeated one; `lines` gains its line.
    private static func readPrefix(
        _ mapping: YAMLReader.Mapping, lines: inout [IPPrefix: Int], with reader: inout YAMLReader
    ) -> IPPrefix? {
        let path = mapping.path(of: "prefix")
        guard let node = mapping["prefix"] else {
            reader.reportMissing("\(mapping.path): the route has no 'prefix'", in: mapping, key: "prefix")
            return nil
        }
        guard case .scalar(let scalar) = node else {
            reader.reportType(at: path, expected: "a prefix such as 10.244.1.0/24", got: node)
            return nil
        }
        let prefix: IPPrefix
        do {
            prefix = try IPPrefix(parsing: scalar.string)
        } catch {
            reader.report("\(path): \(error)", at: node)
            return nil
        }
        let line = node.mark?.line ?? 0
        if let first = lines[prefix] {
            // The prefix is still returned so that other messages about this route can name it.
            reader.report("\(path): prefix \(prefix) is listed twice, at lines \(first) and \(line)", at: node)
        } else {
            lines[prefix] = line
        }
        return prefix
    }

    /// The next hops from `via`: one address or a list of them, each of the prefix's family and listed once.
    private static func readNextHops(
        _ mapping: YAMLReader.Mapping, prefix: IPPrefix?, name: String, with reader: inout YAMLReader
    ) -> [IPAddress]? {
        let path = mapping.path(of: "via")
        guard let node = mapping["via"] else {
            let message = "\(mapping.path): \(name) has no 'via' (its next hop or hops)"
            reader.reportMissing(message, in: mapping, key: "via")
            return nil
        }
        let items: [Node]
        switch node {
        case .scalar: items = [node]
        case .sequence(let sequence): items = Array(sequence)
        default:
            reader.reportType(at: path, expected: "an IP address or a list of them", got: node)
            return nil
        }
        guard !items.isEmpty else {
            reader.report("\(path): \(name) has no next hop (via is empty)", at: node)
            return nil
        }
        return reader.uniqueItems(
            items, path: path, expected: "an IP address",
            parse: { text in
                guard let address = IPAddress(text) else {
                    return .failure(.init(message: "'\(text)' is not an IP address"))
                }
                if let prefix, address.family != prefix.family {
                    return .failure(
                        .init(
                            message: "next hop \(address) is \(Self.name(of: address.family)) "
                                + "but prefix \(prefix) is \(Self.name(of: prefix.family))"))
                }
                return .success(address)
            },
            duplicate: { "next hop \($0) is listed twice for \(name)" })
    }

    /// The ECMP weights by next hop; each must be one of `nextHops`, checked only when those read cleanly.
    private static func readWeights(
        _ mapping: YAMLReader.Mapping, nextHops: [IPAddress]?, name: String, with reader: inout YAMLReader
    ) -> [IPAddress: Int] {
        let path = mapping.path(of: "weights")
        guard let node = mapping["weights"],
            let pairs = reader.pairs(node, path: path, expected: "a mapping from next hop to weight")
        else { return [:] }
        var weights: [IPAddress: Int] = [:]
        for (key, value) in pairs {
            guard case .scalar(let scalar) = key, let address = IPAddress(scalar.string) else {
                reader.report("\(path): \(YAMLReader.describe(key)) is not an IP address", at: key)
                continue
            }
            guard let weight = reader.integer(value, path: "\(path)[\(address)]", range: Self.weights) else { continue }
            guard weights[address] == nil else {
                reader.report("\(path): the weight of \(address) is given twice", at: key)
                continue
            }
            if let nextHops, !nextHops.contains(address) {
                let listed = nextHops.map(\.description).joined(separator: ", ")
                reader.report("\(path): \(address) is not a next hop of \(name) (via: \(listed))", at: key)
                continue
            }
            weights[address] = weight
        }
        return weights
    }

    /// How messages spell a family.
    private static func name(of family: AddressFamily) -> String {
        family == .ipv4 ? "IPv4" : "IPv6"
    }
}
