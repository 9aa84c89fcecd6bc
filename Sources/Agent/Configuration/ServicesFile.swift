import Addresses
import ServiceProxy
import Yams

/// A desired set of services for the proxy, as `rudder proxy apply --file` reads it.
///
/// Unlike a routes file, a mistake inside one service does not reject the file: that service is left out and
/// its problems are returned in `problems`, because in a cluster one broken Service does not stop the others
/// from being proxied either. Problems in the file's own structure (YAML syntax, the top level, the `node`
/// section, a `services` that is not a list) still reject the whole file.
public struct ServicesFile: Sendable, Equatable {
    /// The node-level settings from the `node` section; kube-router's defaults when the section is absent.
    public var settings: ProxySettings
    /// The services that read cleanly, in file order.
    public var services: [ProxiedService]
    /// Why each service left out was left out, in file order; each message names its service.
    public var problems: [ConfigurationProblem]

    /// A services file's contents.
    public init(
        settings: ProxySettings = ProxySettings(), services: [ProxiedService] = [],
        problems: [ConfigurationProblem] = []
    ) {
        self.settings = settings
        self.services = services
        self.problems = problems
    }

    /// The keys valid at the top level.
    static let keys = ["node", "services"]
    /// The keys valid in the `node` section.
    static let nodeKeys = [
        "addresses", "nodePortAddresses", "dummyInterface", "excludedCIDRs", "podSubnets", "masquerade", "iptables",
    ]
    /// The keys valid in a service; Kubernetes' names, so that values can be copied from `kubectl get -o yaml`.
    static let serviceKeys = [
        "name", "clusterIPs", "externalIPs", "loadBalancerIPs", "loadBalancerSourceRanges", "ports", "sessionAffinity",
        "sessionAffinityTimeoutSeconds", "annotations", "externalTrafficPolicy", "internalTrafficPolicy", "endpoints",
    ]
    /// The keys valid in a service port.
    static let portKeys = ["name", "protocol", "port", "targetPort", "nodePort"]
    /// The keys valid in an endpoint.
    static let endpointKeys = ["address", "ports", "local", "ready", "serving", "terminating"]
    /// Valid port numbers; 0 means "any" to the kernel, which is never what a Service means.
    static let portNumbers: ClosedRange<Int> = 1...65_535
    /// Kubernetes' limits for sessionAffinityConfig.clientIP.timeoutSeconds.
    static let affinityTimeouts: ClosedRange<Int> = 1...86_400
    /// Protocols as Kubernetes spells them.
    static let protocols = ["TCP", "UDP", "SCTP"]

    /// Reads and validates the file at `path`.
    public static func load(path: String) throws(ConfigurationError) -> ServicesFile {
        try parse(yaml: YAMLReader.readFile(path: path), file: path)
    }

    /// Reads `yaml`, leaving out each service with a problem; throws when the file's structure is wrong.
    ///
    /// When it throws, the error lists the problems of the services too, so that one run shows everything.
    public static func parse(yaml: String, file: String) throws(ConfigurationError) -> ServicesFile {
        var reader = YAMLReader(file: file)
        let root = try reader.root(yaml: yaml, keys: keys)
        var result = ServicesFile()
        if let node = root["node"], let mapping = reader.mapping(node, path: "node", keys: nodeKeys) {
            result.settings = readSettings(mapping, with: &reader)
        }
        if let node = root["services"] {
            if let items = reader.sequence(node, path: "services", expected: "a list of services") {
                var claims = Claims()
                for (index, item) in items.enumerated() {
                    var entry = ServiceEntryReader(file: file, index: index, settings: result.settings)
                    if let service = entry.read(item, claims: &claims) {
                        result.services.append(service)
                    }
                    result.problems += entry.problems
                }
            }
        } else {
            // An empty set would make `proxy apply` remove every service Rudder owns: ask for it explicitly.
            let message = "no 'services' list (write 'services: []' to mean no services at all)"
            reader.reportMissing(message, in: root, key: "services")
        }
        guard reader.problems.isEmpty else {
            throw ConfigurationError(file: file, problems: inFileOrder(reader.problems + result.problems))
        }
        result.problems = inFileOrder(result.problems)
        return result
    }

    // MARK: The node section

    /// Reads the `node` section (or the agent configuration's `serviceProxy` section) over
    /// kube-router's defaults, recording each bad value; other keys are left to the caller.
    static func readSettings(_ mapping: YAMLReader.Mapping, with reader: inout YAMLReader) -> ProxySettings {
        var settings = ProxySettings()
        if let addresses = readAddresses("addresses", in: mapping, with: &reader) {
            settings.nodeAddresses = addresses
        }
        if let choice = reader.choice("nodePortAddresses", in: mapping, from: ["primary", "all"]) {
            settings.nodePortsOnAllAddresses = choice == "all"
        }
        if let name = reader.string("dummyInterface", in: mapping), let node = mapping["dummyInterface"] {
            if isValidInterfaceName(name) {
                settings.dummyInterface = name
            } else {
                let rule = "at most 15 bytes, without '/', ':' or white space, and not '.' or '..'"
                reader.report(
                    "\(mapping.path(of: "dummyInterface")): '\(name)' is not a valid interface name (\(rule))", at: node
                )
            }
        }
        if let prefixes = readPrefixes("excludedCIDRs", in: mapping, with: &reader) {
            settings.excludedCIDRs = prefixes
        }
        if let prefixes = readPrefixes("podSubnets", in: mapping, with: &reader) {
            settings.podSubnets = prefixes
        }
        if let masquerade = reader.bool("masquerade", in: mapping) {
            settings.masquerade = masquerade
        }
        if let variant = reader.choice("iptables", in: mapping, from: ["nft", "legacy"]) {
            settings.iptablesVariant = variant
        }
        return settings
    }

    /// A list of prefixes, each valid and listed once; nil when any is not, or the key is absent.
    static func readPrefixes(
        _ key: String, in mapping: YAMLReader.Mapping, with reader: inout YAMLReader
    ) -> [IPPrefix]? {
        let path = mapping.path(of: key)
        guard let node = mapping[key] else { return nil }
        guard let items = reader.sequence(node, path: path, expected: "a list of prefixes such as 10.250.0.0/16")
        else { return nil }
        return reader.uniqueItems(
            items, path: path, expected: "a prefix such as 10.250.0.0/16",
            parse: { text in Result { try IPPrefix(parsing: text) }.mapError { .init(message: "\($0)") } },
            duplicate: { "\($0) is listed twice" })
    }

    /// Whether the kernel would accept `name` for a link (its `dev_valid_name`).
    static func isValidInterfaceName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count < 16, name != ".", name != ".." else { return false }
        return !bytes.contains { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: ":") || $0 <= 0x20 || $0 == 0x7F }
    }

    // MARK: Shared readers

    /// A list of addresses, each valid and listed once: `[]` when the key is absent, nil when any item is wrong.
    static func readAddresses(
        _ key: String, in mapping: YAMLReader.Mapping, with reader: inout YAMLReader
    ) -> [IPAddress]? {
        let path = mapping.path(of: key)
        guard let node = mapping[key] else { return [] }
        guard let items = reader.sequence(node, path: path, expected: "a list of IP addresses") else { return nil }
        return reader.uniqueItems(
            items, path: path, expected: "an IP address",
            parse: { text in
                guard let address = IPAddress(text) else {
                    // kubectl shows a headless Service's ClusterIP as None; such a Service has nothing to proxy.
                    let hint = text == "None" ? " (a headless service is not proxied; leave it out)" : ""
                    return .failure(.init(message: "'\(text)' is not an IP address\(hint)"))
                }
                return .success(address)
            },
            duplicate: { "\($0) is listed twice" })
    }

    /// Problems sorted by position, keeping the order found among those at one position.
    private static func inFileOrder(_ problems: [ConfigurationProblem]) -> [ConfigurationProblem] {
        problems.enumerated().sorted { left, right in
            let leftKey = (left.element.line ?? 0, left.element.column ?? 0, left.offset)
            let rightKey = (right.element.line ?? 0, right.element.column ?? 0, right.offset)
            return leftKey < rightKey
        }.map(\.element)
    }
}

/// What the services read so far hold, so that a later service cannot take the same name or virtual service.
private struct Claims {
    /// The line of each service name seen, whether or not that service was accepted.
    var names: [ServiceName: Int] = [:]
    /// The accepted service and its line for each virtual service (address, protocol, port) it occupies.
    var virtualServices: [String: (service: ServiceName, line: Int)] = [:]
    /// The accepted service and its line for each NodePort (protocol, port) it occupies.
    var nodePorts: [String: (service: ServiceName, line: Int)] = [:]
}

/// Reads one item of `services` with a reader of its own, so that its problems stay apart from the file's.
private struct ServiceEntryReader {
    /// A port as read, with the node its number came from for messages.
    struct PortEntry {
        var port: ServicePort
        var node: Node

        /// Whether the port listens on the node's addresses too.
        var hasNodePort: Bool { port.nodePort != nil }
    }

    /// An endpoint as read, with the node its address came from for messages.
    struct EndpointEntry {
        var endpoint: ServiceEndpoint
        var node: Node
    }

    /// The reader holding this service's problems only.
    private var reader: YAMLReader
    /// The service's path, such as `services[2]`.
    private let path: String
    /// How messages name the service: its path, and its name once that is known.
    private var label: String
    /// kube-router's `kube-router.io/service.local: "true"`, seen among the annotations.
    private var localAnnotation = false
    /// The node settings, for excluded ranges.
    private let settings: ProxySettings

    /// A reader for `services[index]` of `file`.
    init(file: String, index: Int, settings: ProxySettings) {
        reader = YAMLReader(file: file)
        path = "services[\(index)]"
        label = path
        self.settings = settings
    }

    /// The problems found, each message starting with the service's path and name.
    var problems: [ConfigurationProblem] {
        reader.problems.map { problem in
            var problem = problem
            problem.message = relabel(problem.message)
            return problem
        }
    }

    /// Reads the service; nil when it has any problem, which `problems` then holds.
    mutating func read(_ item: Node, claims: inout Claims) -> ProxiedService? {
        guard let mapping = reader.mapping(item, path: path, keys: ServicesFile.serviceKeys) else { return nil }
        let name = readName(mapping, claims: &claims)
        let clusterIPs = readServiceAddresses("clusterIPs", in: mapping)
        let externalIPs = readServiceAddresses("externalIPs", in: mapping)
        let loadBalancerIPs = readServiceAddresses("loadBalancerIPs", in: mapping)
        let sourceRanges = ServicesFile.readPrefixes("loadBalancerSourceRanges", in: mapping, with: &reader) ?? []
        let ports = readPorts(mapping)
        let affinity = readAffinity(mapping)
        let scheduling = readScheduling(mapping)
        // kube-router's service.local annotation means Local for both policies.
        let externalPolicy = localAnnotation ? .local : readPolicy("externalTrafficPolicy", in: mapping)
        let internalPolicy = localAnnotation ? .local : readPolicy("internalTrafficPolicy", in: mapping)
        let endpoints = readEndpoints(mapping, portNames: ports.map { Set($0.map(\.port.name)) })
        if let clusterIPs, let externalIPs, let loadBalancerIPs, let ports,
            clusterIPs.isEmpty, externalIPs.isEmpty, loadBalancerIPs.isEmpty, !ports.contains(where: \.hasNodePort)
        {
            let message =
                "\(path): the service has no address to proxy (no clusterIPs, externalIPs or loadBalancerIPs, "
                + "and no nodePort)"
            reader.report(message, at: item)
        }
        guard let name, let clusterIPs, let externalIPs, let loadBalancerIPs, let ports, let affinity,
            let scheduling, let externalPolicy, let internalPolicy, let endpoints, reader.problems.isEmpty
        else { return nil }
        let service = ProxiedService(
            name: name, clusterIPs: clusterIPs, externalIPs: externalIPs, loadBalancerIPs: loadBalancerIPs,
            loadBalancerSourceRanges: sourceRanges, ports: ports.map(\.port), affinity: affinity,
            scheduling: scheduling,
            externalTrafficPolicy: externalPolicy, internalTrafficPolicy: internalPolicy, endpoints: endpoints)
        // The reading above checks what the model does, with lines; this catches what the model learns later.
        for problem in service.problems {
            reader.report("\(path): \(problem)", at: item)
        }
        guard reader.problems.isEmpty, claim(service, ports: ports, at: mapping, in: &claims) else { return nil }
        return service
    }

    // MARK: Identity and addresses

    /// The service's `namespace/name`, recorded in `claims`; a name seen before is reported with its first line.
    private mutating func readName(_ mapping: YAMLReader.Mapping, claims: inout Claims) -> ServiceName? {
        guard let text = reader.string("name", in: mapping), let node = mapping["name"] else {
            if mapping["name"] == nil {
                let message = "\(path): the service has no 'name' (its namespace/name, such as default/web)"
                reader.reportMissing(message, in: mapping, key: "name")
            }
            return nil
        }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy(Self.isDNSLabel) else {
            let rule =
                "namespace/name, each lowercase letters, digits and '-', starting and ending with a letter or "
                + "digit, at most 63 characters"
            reader.report("\(mapping.path(of: "name")): '\(text)' is not a service name (expected \(rule))", at: node)
            return nil
        }
        let name = ServiceName(namespace: String(parts[0]), name: String(parts[1]))
        label = "\(path) (\(name))"
        let line = node.mark?.line ?? 0
        if let first = claims.names[name] {
            reader.report("\(mapping.path(of: "name")): \(name) is already listed at line \(first)", at: node)
            return nil
        }
        claims.names[name] = line
        return name
    }

    /// A list of the service's addresses; a ClusterIP per family at most, none in an excluded range.
    private mutating func readServiceAddresses(_ key: String, in mapping: YAMLReader.Mapping) -> [IPAddress]? {
        guard let addresses = ServicesFile.readAddresses(key, in: mapping, with: &reader) else { return nil }
        var valid = true
        let items: [Node]
        if case .sequence(let sequence) = mapping[key] { items = Array(sequence) } else { items = [] }
        for (address, node) in zip(addresses, items) {
            if let excluded = settings.excludedCIDRs.first(where: { $0.contains(address) }) {
                let message =
                    "\(mapping.path(of: key)): \(address) is in node.excludedCIDRs (\(excluded)), "
                    + "which Rudder never programs"
                reader.report(message, at: node)
                valid = false
            }
        }
        if key == "clusterIPs", valid {
            for (index, address) in addresses.enumerated() {
                guard let earlier = addresses[..<index].first(where: { $0.family == address.family }) else { continue }
                let family = address.family == .ipv4 ? "IPv4" : "IPv6"
                let message =
                    "\(mapping.path(of: key)): \(earlier) and \(address) are both \(family); a service has at most "
                    + "one ClusterIP per family"
                reader.report(message, at: items[index])
                valid = false
            }
        }
        return valid ? addresses : nil
    }

    // MARK: Ports

    /// The service's ports, at least one, each (protocol, port) and each name once; nil when any is wrong.
    private mutating func readPorts(_ mapping: YAMLReader.Mapping) -> [PortEntry]? {
        let path = mapping.path(of: "ports")
        guard let node = mapping["ports"] else {
            reader.reportMissing("\(self.path): the service has no 'ports'", in: mapping, key: "ports")
            return nil
        }
        guard let items = reader.sequence(node, path: path, expected: "a list of ports") else { return nil }
        guard !items.isEmpty else {
            reader.report("\(path): the service has no ports (the list is empty)", at: node)
            return nil
        }
        var entries: [PortEntry] = []
        var valid = true
        var portLines: [String: Int] = [:]
        var nodePortLines: [String: Int] = [:]
        var nameLines: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            let portPath = "\(path)[\(index)]"
            guard let entry = readPort(item, path: portPath) else {
                valid = false
                continue
            }
            let port = entry.port
            let line = entry.node.mark?.line ?? 0
            let spelt = Self.spell(port.transport)
            if let first = portLines["\(spelt)/\(port.port)"] {
                let message = "\(portPath): port \(spelt)/\(port.port) is listed twice\(Self.lines(first, line))"
                reader.report(message, at: entry.node)
                valid = false
                continue
            }
            portLines["\(spelt)/\(port.port)"] = line
            if let nodePort = port.nodePort {
                if let first = nodePortLines["\(spelt)/\(nodePort)"] {
                    let message =
                        "\(portPath): nodePort \(spelt)/\(nodePort) is listed twice\(Self.lines(first, line))"
                    reader.report(message, at: entry.node)
                    valid = false
                    continue
                }
                nodePortLines["\(spelt)/\(nodePort)"] = line
            }
            if !port.name.isEmpty {
                if let first = nameLines[port.name] {
                    let message = "\(portPath): port name '\(port.name)' is listed twice\(Self.lines(first, line))"
                    reader.report(message, at: entry.node)
                    valid = false
                    continue
                }
                nameLines[port.name] = line
            }
            entries.append(entry)
        }
        // Endpoints give their ports by name, so with two ports an unnamed one could not be told apart.
        if valid, entries.count > 1, let index = entries.firstIndex(where: { $0.port.name.isEmpty }) {
            let message = "\(path)[\(index)]: a service with more than one port must name each one (add 'name')"
            reader.report(message, at: entries[index].node)
            valid = false
        }
        return valid ? entries : nil
    }

    /// One port; nil when it has any problem.
    private mutating func readPort(_ item: Node, path: String) -> PortEntry? {
        guard let mapping = reader.mapping(item, path: path, keys: ServicesFile.portKeys) else { return nil }
        let problemsBefore = reader.problems.count
        let name = reader.string("name", in: mapping)
        let spelt = reader.choice("protocol", in: mapping, from: ServicesFile.protocols)
        let number = reader.integer("port", in: mapping, range: ServicesFile.portNumbers)
        if mapping["port"] == nil {
            reader.reportMissing("\(path): the port has no 'port' (its number)", in: mapping, key: "port")
        }
        let targetPort = readTargetPort(mapping)
        let nodePort = reader.integer("nodePort", in: mapping, range: ServicesFile.portNumbers)
        guard let number, let node = mapping["port"], reader.problems.count == problemsBefore else { return nil }
        let transport = spelt.flatMap { TransportProtocol(rawValue: $0.lowercased()) } ?? .tcp
        let port = ServicePort(
            name: name ?? "", transport: transport, port: number, nodePort: nodePort, targetPort: targetPort)
        return PortEntry(port: port, node: node)
    }

    /// A numeric targetPort; a named one is refused with what to write instead.
    private mutating func readTargetPort(_ mapping: YAMLReader.Mapping) -> Int? {
        guard let node = mapping["targetPort"] else { return nil }
        let path = mapping.path(of: "targetPort")
        if case .scalar(let scalar) = node, YAMLReader.has(node, tag: .str) {
            let message =
                "\(path): '\(scalar.string)' is a named port, which this file does not resolve; give its number, "
                + "or give each endpoint's port under its 'ports'"
            reader.report(message, at: node)
            return nil
        }
        return reader.integer(node, path: path, range: ServicesFile.portNumbers)
    }

    // MARK: Policies

    /// Session affinity; a timeout is refused without ClientIP, as Kubernetes refuses it.
    private mutating func readAffinity(_ mapping: YAMLReader.Mapping) -> ProxiedService.Affinity? {
        let problemsBefore = reader.problems.count
        let kind = reader.choice("sessionAffinity", in: mapping, from: ["None", "ClientIP"])
        let timeout = reader.integer("sessionAffinityTimeoutSeconds", in: mapping, range: ServicesFile.affinityTimeouts)
        guard reader.problems.count == problemsBefore else { return nil }
        if kind == "ClientIP" {
            return .clientIP(timeoutSeconds: timeout ?? ProxiedService.Affinity.defaultTimeoutSeconds)
        }
        if timeout != nil, let node = mapping["sessionAffinityTimeoutSeconds"] {
            let message =
                "\(mapping.path(of: "sessionAffinityTimeoutSeconds")): applies only with sessionAffinity: ClientIP"
            reader.report(message, at: node)
            return nil
        }
        return ProxiedService.Affinity.none
    }

    /// The scheduler and its flags from kube-router's annotations; other annotations are ignored.
    private mutating func readScheduling(_ mapping: YAMLReader.Mapping) -> SchedulingPolicy? {
        var policy = SchedulingPolicy()
        let path = mapping.path(of: "annotations")
        guard let node = mapping["annotations"] else { return policy }
        guard let pairs = reader.pairs(node, path: path, expected: "a mapping from annotation name to value") else {
            return nil
        }
        let problemsBefore = reader.problems.count
        for (key, value) in pairs {
            guard case .scalar(let name) = key else {
                reader.report("\(path): an annotation name must be a string, got \(YAMLReader.describe(key))", at: key)
                continue
            }
            let valuePath = "\(path)[\(name.string)]"
            switch name.string {
            case ServiceAnnotations.scheduler:
                let choices = SchedulingPolicy.Scheduler.allCases.map(\.rawValue).joined(separator: ", ")
                guard case .scalar(let scalar) = value, !YAMLReader.isNull(value) else {
                    reader.reportType(at: valuePath, expected: "one of \(choices)", got: value)
                    continue
                }
                switch ServiceAnnotations.scheduler(scalar.string) {
                case .success(let scheduler): policy.scheduler = scheduler
                case .failure(let problem): reader.report("\(valuePath): \(problem.message)", at: value)
                }
            case ServiceAnnotations.schedulerFlags:
                let choices = SchedulingPolicy.Flag.allCases.map(\.rawValue).joined(separator: ", ")
                guard case .scalar(let scalar) = value else {
                    reader.reportType(at: valuePath, expected: "a comma-separated list of \(choices)", got: value)
                    continue
                }
                // An empty value means no flags, as an empty annotation does on a Service.
                guard !YAMLReader.isNull(value) else { continue }
                let (flags, unknown) = ServiceAnnotations.flags(scalar.string)
                for problem in unknown { reader.report("\(valuePath): \(problem.message)", at: value) }
                policy.flags.formUnion(flags)
            case ServiceAnnotations.local:
                guard case .scalar(let scalar) = value else {
                    reader.reportType(at: valuePath, expected: "\"true\" or \"false\"", got: value)
                    continue
                }
                localAnnotation = ServiceAnnotations.isTrue(scalar.string)
            default:
                // Services carry many annotations for other controllers; they are not this file's business.
                continue
            }
        }
        return reader.problems.count == problemsBefore ? policy : nil
    }

    /// externalTrafficPolicy or internalTrafficPolicy; Cluster when absent.
    private mutating func readPolicy(_ key: String, in mapping: YAMLReader.Mapping) -> ProxiedService.TrafficPolicy? {
        guard mapping[key] != nil else { return .cluster }
        return reader.choice(key, in: mapping, from: ["Cluster", "Local"]).flatMap(ProxiedService.TrafficPolicy.init)
    }

    // MARK: Endpoints

    /// The endpoints, each address once; `portNames` are the service's, nil when its ports could not be read.
    private mutating func readEndpoints(_ mapping: YAMLReader.Mapping, portNames: Set<String>?) -> [ServiceEndpoint]? {
        let path = mapping.path(of: "endpoints")
        guard let node = mapping["endpoints"] else { return [] }
        guard let items = reader.sequence(node, path: path, expected: "a list of endpoints") else { return nil }
        var endpoints: [ServiceEndpoint] = []
        var lines: [IPAddress: Int] = [:]
        var valid = true
        for (index, item) in items.enumerated() {
            let endpointPath = "\(path)[\(index)]"
            guard let entry = readEndpoint(item, path: endpointPath, portNames: portNames) else {
                valid = false
                continue
            }
            let address = entry.endpoint.address
            let line = entry.node.mark?.line ?? 0
            if let first = lines[address] {
                let message = "\(endpointPath).address: endpoint \(address) is listed twice\(Self.lines(first, line))"
                reader.report(message, at: entry.node)
                valid = false
                continue
            }
            lines[address] = line
            endpoints.append(entry.endpoint)
        }
        return valid ? endpoints : nil
    }

    /// One endpoint and the node of its address; nil when it has any problem.
    private mutating func readEndpoint(
        _ item: Node, path: String, portNames: Set<String>?
    ) -> EndpointEntry? {
        guard let mapping = reader.mapping(item, path: path, keys: ServicesFile.endpointKeys) else { return nil }
        let problemsBefore = reader.problems.count
        var address: IPAddress?
        if let node = mapping["address"] {
            if case .scalar(let scalar) = node, let parsed = IPAddress(scalar.string) {
                address = parsed
            } else if case .scalar(let scalar) = node {
                reader.report("\(mapping.path(of: "address")): '\(scalar.string)' is not an IP address", at: node)
            } else {
                reader.reportType(at: mapping.path(of: "address"), expected: "an IP address", got: node)
            }
        } else {
            reader.reportMissing("\(path): the endpoint has no 'address'", in: mapping, key: "address")
        }
        let ports = readEndpointPorts(mapping, portNames: portNames)
        let isLocal = reader.bool("local", in: mapping) ?? false
        let ready = reader.bool("ready", in: mapping) ?? true
        let serving = reader.bool("serving", in: mapping)
        let terminating = reader.bool("terminating", in: mapping) ?? false
        guard let address, let node = mapping["address"], let ports, reader.problems.count == problemsBefore
        else { return nil }
        let endpoint = ServiceEndpoint(
            address: address, ports: ports, isLocal: isLocal, ready: ready, serving: serving, terminating: terminating)
        return EndpointEntry(endpoint: endpoint, node: node)
    }

    /// The endpoint's ports by service port name; each name must be one of the service's.
    private mutating func readEndpointPorts(_ mapping: YAMLReader.Mapping, portNames: Set<String>?) -> [String: Int]? {
        let path = mapping.path(of: "ports")
        guard let node = mapping["ports"] else { return [:] }
        guard let pairs = reader.pairs(node, path: path, expected: "a mapping from service port name to port number")
        else { return nil }
        var ports: [String: Int] = [:]
        var valid = true
        for (key, value) in pairs {
            guard case .scalar(let name) = key else {
                reader.report("\(path): a port name must be a string, got \(YAMLReader.describe(key))", at: key)
                valid = false
                continue
            }
            guard let number = reader.integer(value, path: "\(path)[\(name.string)]", range: ServicesFile.portNumbers)
            else {
                valid = false
                continue
            }
            if let portNames, !portNames.contains(name.string) {
                let names = portNames.sorted().map { $0.isEmpty ? "'' (unnamed)" : "'\($0)'" }.joined(separator: ", ")
                reader.report("\(path): '\(name.string)' is not a port name of the service (\(names))", at: key)
                valid = false
                continue
            }
            ports[name.string] = number
        }
        return valid ? ports : nil
    }

    // MARK: Claims

    /// Records what an accepted service occupies, or reports the first service already holding any of it.
    private mutating func claim(
        _ service: ProxiedService, ports: [PortEntry], at mapping: YAMLReader.Mapping, in claims: inout Claims
    ) -> Bool {
        let line = mapping.entries["name"]?.key.mark?.line ?? 0
        var addresses: [IPAddress] = []
        for address in service.clusterIPs + service.externalIPs + service.loadBalancerIPs
        where !addresses.contains(address) {
            addresses.append(address)
        }
        var virtualServices: [String] = []
        var nodePorts: [String] = []
        for (index, entry) in ports.enumerated() {
            let spelt = Self.spell(entry.port.transport)
            let portPath = "\(mapping.path(of: "ports"))[\(index)]"
            for address in addresses {
                let key = "\(address) \(spelt)/\(entry.port.port)"
                if let owner = claims.virtualServices[key] {
                    let message =
                        "\(portPath): \(spelt)/\(entry.port.port) on \(address) is already taken by \(owner.service) "
                        + "(line \(owner.line))"
                    reader.report(message, at: entry.node)
                    break
                }
                virtualServices.append(key)
            }
            if let nodePort = entry.port.nodePort {
                let key = "\(spelt)/\(nodePort)"
                if let owner = claims.nodePorts[key] {
                    let message =
                        "\(portPath): nodePort \(key) is already taken by \(owner.service) (line \(owner.line))"
                    reader.report(message, at: entry.node)
                }
                nodePorts.append(key)
            }
        }
        guard reader.problems.isEmpty else { return false }
        for key in virtualServices { claims.virtualServices[key] = (service.name, line) }
        for key in nodePorts { claims.nodePorts[key] = (service.name, line) }
        return true
    }

    // MARK: Messages

    /// Puts the service's label at the head of a message the reader wrote with the service's path.
    private func relabel(_ message: String) -> String {
        if message.hasPrefix(path + ".") {
            return "\(label): \(message.dropFirst(path.count + 1))"
        }
        if message.hasPrefix(path + ": ") {
            return "\(label): \(message.dropFirst(path.count + 2))"
        }
        // The reader names the mapping in the middle of some messages, such as those about unknown keys.
        let inner = message.replacing("in \(path).", with: "in ").replacing(" in \(path) ", with: " ")
        return "\(label): \(inner)"
    }

    /// Where a repeated item is, for " is listed twice" messages.
    private static func lines(_ first: Int, _ second: Int) -> String {
        first == second ? " on line \(first)" : ", at lines \(first) and \(second)"
    }

    /// How Kubernetes spells a protocol.
    private static func spell(_ transport: TransportProtocol) -> String {
        transport.rawValue.uppercased()
    }

    /// Whether `text` is an RFC 1123 label, as Kubernetes names namespaces and Services.
    private static func isDNSLabel(_ text: Substring) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 63 else { return false }
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        guard isAlphanumeric(bytes.first!), isAlphanumeric(bytes.last!) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }
}
