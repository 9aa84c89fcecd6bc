import Logging
import Netlink
import PodRouting

/// The agent's configuration file, read strictly so that `rudder check-config` can say exactly what is wrong.
public struct RudderConfiguration: Sendable, Equatable {
    /// A top-level section of the file: adding one to the configuration is one small type conforming to this.
    protocol Section: Sendable, Equatable {
        /// The section's key at the top level, such as `podRouting`.
        static var key: String { get }
        /// The keys valid inside the section; any other is reported.
        static var keys: [String] { get }
        /// Reads the section over `defaults`, recording problems in `reader` rather than throwing.
        init(reading mapping: YAMLReader.Mapping, over defaults: Self, with reader: inout YAMLReader)
    }

    /// This node's Kubernetes name; nil means NODE_NAME from the environment, else the host name.
    public var nodeName: String?
    /// The lowest level logged.
    public var logLevel: Logger.Level
    /// How pod routes are written.
    public var podRouting: PodRouting
    /// How the API server is reached.
    public var kubernetes: Kubernetes
    /// How Services are proxied.
    public var serviceProxy: ServiceProxy
    /// Where the health and metrics endpoints listen.
    public var http: HTTP
    /// What `/metrics` reports besides the agent's own series.
    public var metrics: Metrics
    /// The BGP speaker.
    public var bgp: BGP
    /// The local control socket `rudder bgp` talks to.
    public var controlSocket: String
    /// How log lines look.
    public var logging = Log()
    /// The node's pod network (Rudder as the CNI).
    public var podNetwork = PodNetwork()

    /// A configuration; every argument defaults to what an empty section would give.
    public init(
        nodeName: String? = nil, logLevel: Logger.Level = .info, podRouting: PodRouting = PodRouting(),
        kubernetes: Kubernetes = Kubernetes(), serviceProxy: ServiceProxy = ServiceProxy(), http: HTTP = HTTP(),
        metrics: Metrics = Metrics(), bgp: BGP = BGP(), controlSocket: String = ControlServer.defaultPath
    ) {
        self.controlSocket = controlSocket
        self.nodeName = nodeName
        self.logLevel = logLevel
        self.podRouting = podRouting
        self.kubernetes = kubernetes
        self.serviceProxy = serviceProxy
        self.http = http
        self.metrics = metrics
        self.bgp = bgp
    }

    /// Every option at its default, as when the file sets nothing.
    public static let `default` = RudderConfiguration()

    /// The valid top-level keys; a new section adds its key here.
    static let keys = [
        "nodeName", "logLevel", Log.key, "controlSocket", PodRouting.key, PodNetwork.key, Kubernetes.key,
        ServiceProxy.key, HTTP.key,
        Metrics.key, BGP.key,
    ]

    /// Reads and validates the file at `path`.
    public static func load(path: String) throws(ConfigurationError) -> RudderConfiguration {
        try parse(yaml: YAMLReader.readFile(path: path), file: path)
    }

    /// Validates `yaml` and returns the configuration, or throws every problem found; `file` names it in messages.
    public static func parse(yaml: String, file: String) throws(ConfigurationError) -> RudderConfiguration {
        var reader = YAMLReader(file: file)
        let root = try reader.root(yaml: yaml, keys: keys)
        var configuration = RudderConfiguration()
        if let name = reader.string("nodeName", in: root), let node = root["nodeName"] {
            if isValidNodeName(name) {
                configuration.nodeName = name
            } else {
                let rule =
                    "lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, "
                    + "at most 253 characters"
                reader.report("nodeName: '\(name)' is not a valid Kubernetes node name (\(rule))", at: node)
            }
        }
        let levels = Logger.Level.allCases.map(\.rawValue)
        if let level = reader.choice("logLevel", in: root, from: levels).flatMap(Logger.Level.init(rawValue:)) {
            configuration.logLevel = level
        }
        configuration.controlSocket = reader.string("controlSocket", in: root) ?? configuration.controlSocket
        read(&configuration.logging, in: root, with: &reader)
        read(&configuration.podRouting, in: root, with: &reader)
        read(&configuration.podNetwork, in: root, with: &reader)
        read(&configuration.kubernetes, in: root, with: &reader)
        read(&configuration.serviceProxy, in: root, with: &reader)
        read(&configuration.http, in: root, with: &reader)
        read(&configuration.metrics, in: root, with: &reader)
        read(&configuration.bgp, in: root, with: &reader)
        try reader.finish()
        return configuration
    }

    /// The node name to use: the configured one, else NODE_NAME, else the host name lowercased as kubelet does.
    public func resolvedNodeName(environment: [String: String], hostname: String) -> String {
        if let nodeName { return nodeName }
        if let fromEnvironment = environment["NODE_NAME"].map(Self.trimmed), !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return Self.trimmed(hostname).lowercased()
    }

    /// The settings the pod-routing planner and kernel adapter take.
    public var podRoutingSettings: PodRoutingSettings {
        PodRoutingSettings(protocolNumber: podRouting.routeProtocol, table: podRouting.table, metric: podRouting.metric)
    }

    /// Reads one section into `section` when the file has it; an absent or empty section keeps the defaults.
    private static func read<S: Section>(
        _ section: inout S, in root: YAMLReader.Mapping, with reader: inout YAMLReader
    ) {
        guard let node = root[S.key], let mapping = reader.mapping(node, path: S.key, keys: S.keys) else { return }
        section = S(reading: mapping, over: section, with: &reader)
    }

    /// Whether `name` is an RFC 1123 subdomain, which is what Kubernetes accepts as a node name.
    static func isValidNodeName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        guard isAlphanumeric(bytes.first!), isAlphanumeric(bytes.last!) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
    }

    /// The text without leading and trailing white space, as kubelet trims a host name.
    private static func trimmed(_ text: String) -> String {
        String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}

extension RudderConfiguration {
    /// The `podRouting` section: how Rudder marks, places and refreshes the pod routes it installs.
    public struct PodRouting: Sendable, Equatable, Section {
        /// Whether the agent installs pod routes at all.
        public var enabled: Bool
        /// The route protocol number that marks Rudder's routes; Rudder deletes stale routes carrying it.
        public var routeProtocol: UInt8
        /// The routing table pod routes go into.
        public var table: UInt32
        /// The route metric, or nil for the kernel's default of each family.
        public var metric: UInt32?
        /// How often the kernel's routes are read back and repaired, as a safety net.
        public var resyncInterval: Duration
        /// A routes file to apply at start-up, or nil for none.
        public var routesFile: String?

        /// The section; every argument defaults to what an empty section gives.
        public init(
            enabled: Bool = true, routeProtocol: UInt8 = PodRoutingSettings.rudderProtocol,
            table: UInt32 = Route.mainTable, metric: UInt32? = nil, resyncInterval: Duration = .seconds(300),
            routesFile: String? = nil
        ) {
            self.enabled = enabled
            self.routeProtocol = routeProtocol
            self.table = table
            self.metric = metric
            self.resyncInterval = resyncInterval
            self.routesFile = routesFile
        }

        /// The section's key at the top level.
        static let key = "podRouting"
        /// The keys valid in the section.
        static let keys = ["enabled", "routeProtocol", "table", "metric", "resyncInterval", "routesFile"]

        /// Below this a resync, which reads the whole routing table, would run too often to be a safety net.
        static let minimumResyncInterval = Duration.seconds(10)

        /// Protocol numbers the kernel and iproute2 give a meaning to; routes with them are not Rudder's to delete.
        static let reservedProtocols: [UInt8: String] = [
            0: "unspec", 1: "redirect", 2: "kernel", 3: "boot", 4: "static",
        ]

        /// Reads the section's keys over `defaults`, recording each bad value and keeping its default.
        init(reading mapping: YAMLReader.Mapping, over defaults: PodRouting, with reader: inout YAMLReader) {
            self = defaults
            enabled = reader.bool("enabled", in: mapping) ?? enabled
            if let node = mapping["routeProtocol"],
                let number: UInt8 = reader.integer(
                    node, path: mapping.path(of: "routeProtocol"), range: 0...255, expected: "an integer 5...255")
            {
                if let name = Self.reservedProtocols[number] {
                    let message =
                        "\(mapping.path(of: "routeProtocol")): \(number) is the reserved protocol '\(name)' "
                        + "(0-4 are unspec, redirect, kernel, boot and static); Rudder deletes stale routes of its "
                        + "own protocol, so it needs a number nothing else uses (default "
                        + "\(PodRoutingSettings.rudderProtocol))"
                    reader.report(message, at: node)
                } else {
                    routeProtocol = number
                }
            }
            table = reader.routeTable("table", in: mapping) ?? table
            metric = reader.routeMetric("metric", in: mapping) ?? metric
            let reason = "each resync reads the whole routing table"
            resyncInterval =
                reader.duration("resyncInterval", in: mapping, minimum: Self.minimumResyncInterval, reason: reason)
                ?? resyncInterval
            routesFile = reader.string("routesFile", in: mapping) ?? routesFile
        }
    }
}

extension YAMLReader {
    /// A table for pod routes: an integer 1...4294967295 or `main`; `local` (255) is refused.
    mutating func routeTable(_ key: String, in mapping: Mapping) -> UInt32? {
        guard let node = mapping[key] else { return nil }
        let path = mapping.path(of: key)
        let expected = "an integer 1...4294967295 or main"
        let local =
            "\(path): the local table (255) holds the kernel's local and broadcast routes; pod routes must not go there"
        if case .scalar(let scalar) = node, Self.has(node, tag: .str) {
            switch scalar.string {
            case "main": return Route.mainTable
            case "local": report(local, at: node)
            default: reportType(at: path, expected: expected, got: node)
            }
            return nil
        }
        guard let table: UInt32 = integer(node, path: path, range: 1...UInt32.max, expected: expected) else {
            return nil
        }
        guard table != 255 else {
            report(local, at: node)
            return nil
        }
        return table
    }

    /// A route metric: an integer 0...4294967295.
    mutating func routeMetric(_ key: String, in mapping: Mapping) -> UInt32? {
        integer(key, in: mapping, range: 0...UInt32.max)
    }
}
