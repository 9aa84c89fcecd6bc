import Netlink
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What the pod network needs from the kernel: links and addresses, link changes, and events.
public protocol PodNetworkKernel: Sendable {
    /// Every link.
    func links() async throws -> [Link]
    /// Addresses on every link.
    func addresses() async throws -> [InterfaceAddress]
    /// The UDP ports open for GUE packets.
    func guePorts() async throws -> [UInt16]
    /// Sends the operations in order; a failure is kept by index and the rest still go.
    func apply(_ operations: [LinkOperation]) async -> [Int: NetlinkError]
    /// Starts the stream of link and address events; subscribed when it returns.
    func events() throws -> AsyncStream<NetlinkEvent>
    /// How many state-changing requests have reached the kernel.
    var writesSent: Int { get }
}

/// The real kernel, through rtnetlink, in one network namespace.
public final class NetlinkPodNetworkKernel: PodNetworkKernel {
    private let netlink: Rtnetlink
    private let executor = NetlinkExecutor(label: "rudder.podnetwork.netlink")
    /// The namespace the links live in.
    public let namespace: NetworkNamespace

    /// Opens the rtnetlink socket in `namespace`.
    public init(namespace: NetworkNamespace = .current) throws {
        self.namespace = namespace
        netlink = try Rtnetlink(namespace: namespace)
    }

    public func links() async throws -> [Link] {
        try await executor.run { [netlink] in try netlink.links() }
    }

    public func addresses() async throws -> [InterfaceAddress] {
        try await executor.run { [netlink] in try netlink.addresses() }
    }

    public func guePorts() async throws -> [UInt16] {
        try await executor.run { [self] in try fou().guePorts() }
    }

    /// The `fou` family's client, opened on first use: only GUE tunnels need the module.
    private func fou() throws -> FOUClient {
        try fouClient.withLock { client in
            if let client { return client }
            let opened = try FOUClient(namespace: namespace)
            client = opened
            return opened
        }
    }

    private let fouClient = Mutex<FOUClient?>(nil)

    public func apply(_ operations: [LinkOperation]) async -> [Int: NetlinkError] {
        let result = try? await executor.run { [self, netlink] in
            var failures: [Int: NetlinkError] = [:]
            for (index, operation) in operations.enumerated() {
                do {
                    if case .addGUEPort(let port) = operation {
                        try fou().addGUEPort(port)
                    } else {
                        try Self.send(operation, through: netlink)
                    }
                } catch let error as NetlinkError {
                    failures[index] = error
                } catch {
                    failures[index] = NetlinkError(operation: "\(operation): \(error)", errno: EIO)
                }
            }
            return failures
        }
        return result ?? [:]
    }

    private static func send(_ operation: LinkOperation, through netlink: Rtnetlink) throws {
        switch operation {
        case .addBridge(let name, let mtu, let address):
            try netlink.addLink(name: name, kind: "bridge", mtu: mtu, hardwareAddress: address)
        case .setMTU(let name, let mtu): try netlink.setLink(named: name, mtu: mtu)
        case .addAddress(let name, let address):
            guard let link = try netlink.link(named: name) else {
                throw NetlinkError(operation: "add address \(address) to \(name)", errno: ENODEV)
            }
            try netlink.addAddress(
                InterfaceAddress(linkIndex: link.index, address: address), skipDAD: address.address.family == .ipv6)
        case .setUp(let name): try netlink.setLink(named: name, up: true)
        case .addTunnel(let name, let tunnel, let encapsulation, let mtu):
            try netlink.addIPIPTunnel(name: name, tunnel, guePort: encapsulation.port, mtu: mtu)
        case .addGUEPort: break
        case .deleteLink(let name): try netlink.deleteLink(named: name)
        }
    }

    public func events() throws -> AsyncStream<NetlinkEvent> {
        try NetlinkMonitor.events(namespace: namespace, groups: [.link, .ipv4Address, .ipv6Address])
    }

    public var writesSent: Int { netlink.writesSent + (fouClient.withLock { $0 }?.writesSent ?? 0) }
}
