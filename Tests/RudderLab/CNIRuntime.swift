import Addresses
import Foundation

/// The runtime half of the CNI protocol, so tests drive the reference plugins as containerd would.
public struct CNIRuntime: Sendable {
    /// One entry of the list; its JSON is kept as bytes because `[String: Any]` is not Sendable.
    private struct Plugin: Sendable {
        var type: String
        var wantsPortMappings: Bool
        var json: Data
    }

    /// Where the plugin executables live; also CNI_PATH, so plugins can delegate (bridge → host-local).
    public let pluginDirectory: String
    /// The network name from the list, copied into every plugin's configuration.
    public let name: String
    /// The list's version, copied into every plugin's configuration.
    public let cniVersion: String
    private let plugins: [Plugin]
    /// The network namespace the runtime lives in (a node's, `/run/netns/NAME`); nil: this process's.
    public let hostNamespace: String?

    /// Parses a conflist, refusing one that libcni would refuse; plugins run in `hostNamespace`.
    public init(pluginDirectory: String = "/usr/lib/cni", conflist: Data, hostNamespace: String? = nil) throws {
        self.hostNamespace = hostNamespace
        func malformed(_ why: String) -> CNIRuntimeError {
            CNIRuntimeError(command: "parse", plugin: "conflist", message: why)
        }
        guard let list = try? JSONSerialization.jsonObject(with: conflist) as? [String: Any] else {
            throw malformed("not a JSON object")
        }
        guard let name = list["name"] as? String, !name.isEmpty else { throw malformed("missing name") }
        guard let version = list["cniVersion"] as? String else { throw malformed("missing cniVersion") }
        guard let entries = list["plugins"] as? [[String: Any]], !entries.isEmpty else {
            throw malformed("plugins must be a non-empty array of objects")
        }
        self.pluginDirectory = pluginDirectory
        self.name = name
        self.cniVersion = version
        self.plugins = try entries.map { entry in
            guard let type = entry["type"] as? String, !type.isEmpty else { throw malformed("a plugin lacks type") }
            let capabilities = entry["capabilities"] as? [String: Any]
            return Plugin(
                type: type, wantsPortMappings: capabilities?["portMappings"] as? Bool ?? false,
                json: try JSONSerialization.data(withJSONObject: entry))
        }
    }

    /// Sets the container's network up, each plugin seeing the previous one's result; returns the last.
    public func add(
        containerID: String, netns: String, ifName: String = "eth0", portMappings: [PortMapping] = []
    ) throws -> CNIResult {
        var previous: CNIResult?
        for plugin in plugins {
            let output = try invoke(
                "ADD", plugin, containerID: containerID, netns: netns, ifName: ifName, portMappings: portMappings,
                prevResult: previous)
            previous = try CNIResult(json: output, plugin: plugin.type)
        }
        return previous!
    }

    /// Asks every plugin, in order, whether the network still matches `result` (the cached ADD result).
    public func check(
        containerID: String, netns: String, ifName: String = "eth0", portMappings: [PortMapping] = [],
        result: CNIResult
    ) throws {
        for plugin in plugins {
            _ = try invoke(
                "CHECK", plugin, containerID: containerID, netns: netns, ifName: ifName, portMappings: portMappings,
                prevResult: result)
        }
    }

    /// Tears the network down in reverse order; the plugins themselves treat what is already gone as done.
    public func delete(
        containerID: String, netns: String, ifName: String = "eth0", portMappings: [PortMapping] = [],
        result: CNIResult? = nil
    ) throws {
        for plugin in plugins.reversed() {
            _ = try invoke(
                "DEL", plugin, containerID: containerID, netns: netns, ifName: ifName, portMappings: portMappings,
                prevResult: result)
        }
    }

    /// Brings `lo` up in `netns` the way runtimes do, through the loopback plugin.
    @discardableResult
    public static func loopback(
        netns: String, containerID: String, pluginDirectory: String = "/usr/lib/cni"
    ) throws -> CNIResult {
        try loopbackRuntime(pluginDirectory).add(containerID: containerID, netns: netns, ifName: "lo")
    }

    /// Undoes `loopback(netns:containerID:)`, as a runtime does when the sandbox goes away.
    public static func deleteLoopback(
        netns: String, containerID: String, pluginDirectory: String = "/usr/lib/cni"
    ) throws {
        try loopbackRuntime(pluginDirectory).delete(containerID: containerID, netns: netns, ifName: "lo")
    }

    private static func loopbackRuntime(_ directory: String) throws -> CNIRuntime {
        let list = #"{"cniVersion":"1.0.0","name":"lo","plugins":[{"type":"loopback"}]}"#
        return try CNIRuntime(pluginDirectory: directory, conflist: Data(list.utf8))
    }

    /// Builds the configuration as libcni's buildOneConfig does and runs the plugin; returns its stdout.
    private func invoke(
        _ command: String, _ plugin: Plugin, containerID: String, netns: String, ifName: String,
        portMappings: [PortMapping], prevResult: CNIResult?
    ) throws -> [UInt8] {
        var config = (try JSONSerialization.jsonObject(with: plugin.json) as? [String: Any]) ?? [:]
        config["name"] = name
        config["cniVersion"] = cniVersion
        if let prevResult {
            config["prevResult"] = try JSONSerialization.jsonObject(with: Data(prevResult.json))
        }
        if plugin.wantsPortMappings && !portMappings.isEmpty {
            config["runtimeConfig"] = ["portMappings": portMappings.map(\.jsonObject)]
        }
        // libcni passes the runtime's own environment on, minus any stale CNI_ variables.
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CNI_") }
        environment["CNI_COMMAND"] = command
        environment["CNI_CONTAINERID"] = containerID
        environment["CNI_NETNS"] = netns
        environment["CNI_IFNAME"] = ifName
        environment["CNI_PATH"] = pluginDirectory
        environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin"
        let stdin = Array(try JSONSerialization.data(withJSONObject: config))
        let executable = pluginDirectory + "/" + plugin.type
        let fail = { (message: String) in CNIRuntimeError(command: command, plugin: plugin.type, message: message) }
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw fail("no plugin executable at \(executable)")
        }

        // Stdin is an unlinked file holding the whole configuration rather than a pipe: a plugin that
        // exits unread cannot raise SIGPIPE here, and a write end leaked into a child spawned
        // concurrently by another test cannot keep the plugin waiting for end-of-file.
        let input = try UnlinkedFile()
        do {
            try input.handle.write(contentsOf: stdin)
            try input.handle.seek(toOffset: 0)
        } catch {
            throw fail("cannot stage the configuration: \(error)")
        }
        // Output goes to unlinked files too, as in `Shell.run`, so nothing blocks on a full pipe.
        let stdout = try UnlinkedFile()
        let stderr = try UnlinkedFile()
        let process = Process()
        // The plugins act on the runtime's own namespace (the bridge, portmap's rules): a node's.
        if let hostNamespace {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/nsenter")
            process.arguments = ["--net=\(hostNamespace)", executable]
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
        }
        process.environment = environment
        process.standardInput = input.handle
        process.standardOutput = stdout.handle
        process.standardError = stderr.handle
        do {
            try process.run()
        } catch {
            throw fail("cannot start \(executable): \(error)")
        }
        process.waitUntilExit()
        let output = Array(stdout.contents().utf8)
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            var failure = fail("")
            failure.status = process.terminationStatus
            failure.wasSignaled = process.terminationReason == .uncaughtSignal
            let reported = (try? JSONSerialization.jsonObject(with: Data(output))) as? [String: Any]
            failure.code = reported?["code"] as? Int
            failure.message = reported?["msg"] as? String ?? String(decoding: output, as: UTF8.self)
            failure.details = reported?["details"] as? String
            failure.stderr = stderr.contents().trimmingCharacters(in: .whitespacesAndNewlines)
            throw failure
        }
        return output
    }
}

/// What a plugin reported after ADD, kept raw because the next plugin and CHECK/DEL need it verbatim.
public struct CNIResult: Sendable {
    /// An address the plugins assigned, with the host bits kept (it is the container's own address).
    public struct IP: Sendable, Equatable {
        /// The assigned address and its subnet length, e.g. 10.99.0.2/24.
        public var address: IPPrefix
        /// The gateway, when the IPAM plugin named one.
        public var gateway: IPAddress?
    }

    /// An interface the plugins created; `sandbox` is the netns path, nil for host-side ones.
    public struct Interface: Sendable, Equatable {
        /// The interface name.
        public var name: String
        /// The network namespace path when the interface lives in the container.
        public var sandbox: String?
    }

    /// The result object exactly as the plugin printed it.
    public let json: [UInt8]
    /// The `ips` entries.
    public let ips: [IP]
    /// The `interfaces` entries.
    public let interfaces: [Interface]

    /// The raw result as text, for messages and for caching alongside a container.
    public var text: String { String(decoding: json, as: UTF8.self) }

    /// Parses a plugin's result; `plugin` only names the culprit in the error.
    public init(json: [UInt8], plugin: String = "result") throws {
        let fail = { (why: String) in CNIRuntimeError(command: "ADD", plugin: plugin, message: why) }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(json))) as? [String: Any] else {
            throw fail("result is not a JSON object: \(String(decoding: json, as: UTF8.self))")
        }
        self.json = json
        self.ips = try ((object["ips"] as? [[String: Any]]) ?? []).map { entry in
            guard let text = entry["address"] as? String, let host = text.split(separator: "/").first,
                let address = IPAddress(host), let prefix = try? IPPrefix(parsing: text, clearingHostBits: true)
            else { throw fail("bad ips entry \(entry)") }
            return IP(
                address: IPPrefix(address: address, length: prefix.length),
                gateway: (entry["gateway"] as? String).flatMap { IPAddress($0) })
        }
        self.interfaces = ((object["interfaces"] as? [[String: Any]]) ?? []).map { entry in
            let sandbox = entry["sandbox"] as? String
            return Interface(name: entry["name"] as? String ?? "", sandbox: sandbox?.isEmpty == false ? sandbox : nil)
        }
    }
}

/// A port to publish, as CRI hands it to the runtime and the runtime passes it to portmap.
public struct PortMapping: Sendable, Equatable {
    /// The transport protocols portmap understands.
    public enum TransportProtocol: String, Sendable {
        case tcp, udp
    }

    /// The port on the host.
    public var hostPort: Int
    /// The port inside the container.
    public var containerPort: Int
    /// Which transport the mapping applies to.
    public var `protocol`: TransportProtocol
    /// The host address to bind, or nil for all of them.
    public var hostIP: IPAddress?

    /// A mapping of `hostPort` on the host to `containerPort` in the container.
    public init(hostPort: Int, containerPort: Int, protocol: TransportProtocol = .tcp, hostIP: IPAddress? = nil) {
        self.hostPort = hostPort
        self.containerPort = containerPort
        self.protocol = `protocol`
        self.hostIP = hostIP
    }

    fileprivate var jsonObject: [String: Any] {
        var object: [String: Any] = [
            "hostPort": hostPort, "containerPort": containerPort, "protocol": `protocol`.rawValue,
        ]
        if let hostIP { object["hostIP"] = hostIP.description }
        return object
    }
}

/// A plugin that failed, with the CNI error it printed, so a failing test says which step broke.
public struct CNIRuntimeError: Error, CustomStringConvertible, Sendable {
    /// ADD, CHECK, DEL, or "parse" for a bad conflist.
    public var command: String
    /// The plugin type that failed.
    public var plugin: String
    /// The CNI error's `msg`, or the plugin's stdout when it printed no error object.
    public var message: String
    /// The CNI error's `details`.
    public var details: String?
    /// The CNI error's `code` (the spec's well-known codes are 1–11, 100+ are plugin-specific).
    public var code: Int?
    /// The exit status, or the signal when `wasSignaled`; nil when the plugin never ran.
    public var status: Int32?
    /// Whether a signal ended the plugin.
    public var wasSignaled = false
    /// What the plugin logged on standard error.
    public var stderr = ""

    /// A failure of `plugin` during `command`.
    public init(command: String, plugin: String, message: String) {
        self.command = command
        self.plugin = plugin
        self.message = message
    }

    /// One line: command, plugin, how it ended, code, message and details.
    public var description: String {
        var parts = ["CNI \(command) \(plugin)"]
        if let status { parts.append(wasSignaled ? "killed by signal \(status)" : "exit status \(status)") }
        if let code { parts.append("code \(code)") }
        parts.append(message.trimmingCharacters(in: .whitespacesAndNewlines))
        if let details, !details.isEmpty { parts.append(details) }
        if !stderr.isEmpty { parts.append("stderr: \(stderr)") }
        return parts.joined(separator: ": ")
    }
}
